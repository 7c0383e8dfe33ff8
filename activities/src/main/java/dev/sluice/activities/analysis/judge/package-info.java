/**
 * The sequential canary judge: pure code (no I/O, no clock, no randomness) that compares a canary
 * with the baseline serving in the same windows, interval by interval, and keeps the chance of
 * failing a good canary at most {@code alpha} however often it looks.
 *
 * <h2>Entry points</h2>
 *
 * <ul>
 *   <li>{@link dev.sluice.activities.analysis.judge.Judge#replay(JudgeRequest)}: recorded series
 *       (JSON, see {@link dev.sluice.activities.analysis.judge.JudgeRequest}) replayed as the live
 *       canary would, answering {@link dev.sluice.activities.analysis.judge.JudgeResult}.
 *   <li>{@link dev.sluice.activities.analysis.judge.Judge#step}: one interval at a time for the
 *       live canary, with a small serializable {@link
 *       dev.sluice.activities.analysis.judge.JudgeState}.
 *   <li>Bad input: {@link dev.sluice.activities.analysis.judge.JudgeInputException}, naming each
 *       field by its JSON path.
 * </ul>
 *
 * <h2>Statistics</h2>
 *
 * Every metric's evidence is an <em>e-process</em>: a likelihood ratio mixed over the regressions
 * worth catching which, while the canary is within its allowance, is a nonnegative supermartingale
 * starting at 1. Ville's inequality bounds the chance it ever reaches 1/α by α, so it may be
 * checked after every interval, for as long as the canary runs — the mixture sequential probability
 * ratio test (Robbins 1970) behind the always-valid p-values of Johari, Koomen, Pekelis and Walsh,
 * <i>Always Valid Inference: Continuous Monitoring of A/B Tests</i>, Operations Research 70(3),
 * 2022; see also Ramdas, Grünwald, Vovk and Shafer, <i>Game-theoretic statistics and safe
 * anytime-valid inference</i>, Statistical Science 38(4), 2023.
 *
 * <ul>
 *   <li><b>ratio</b> (error rate): conditional on the events both groups had in an interval, the
 *       canary's share is binomial with odds ρ·n_c/n_b (ρ the ratio of the rates, n the totals)
 *       whatever the baseline rate — the comparison of two Poisson rates of Przyborowski and
 *       Wilenski (1940) / Lehmann. The nuisance rate and any drift shared by both groups drop out;
 *       zero events, or zero in the baseline, are simply small observations. The likelihood ratio
 *       against the allowance (ρ₀ = 1 + allowedChange) is mixed over odds multiples 1.2, 1.5, 2, 3,
 *       5, 10. Exact for Poisson counts, conservative for binomial ones.
 *   <li><b>samples</b> (latency): per interval, the canary against the baseline's samples scaled by
 *       the allowance, by two tests whose e-values are averaged: a stratified Mann-Whitney (van
 *       Elteren) statistic — U/(n_c·n_b) − ½ standardized by its exact permutation variance, summed
 *       over intervals and mixed over a half-normal effect prior in closed form (normal
 *       approximation) — for a shift of the bulk; and the canary's share of the pooled samples
 *       beyond the pooled {@code quantile} (p99 by default), hypergeometric under the null and
 *       tested like a ratio — for a longer tail with the median unchanged, which a rank test cannot
 *       see. The allowance on the samples themselves is the effect-size threshold: a 2% slowdown
 *       with a 5% allowance never fails, whatever the sample size.
 *   <li><b>value</b> (a business figure per interval): a sign test — in how many intervals was the
 *       canary beyond the baseline's allowance? At most half under the null, whatever the noise;
 *       exact, but it needs many intervals.
 * </ul>
 *
 * {@code alpha} (default 0.01) is the budget for the whole canary: each of m metrics gets α/m
 * (Bonferroni), and the tests within a metric (both sides for {@code either}; rank and tail for
 * samples) share it by averaging their e-values.
 *
 * <h2>Verdicts</h2>
 *
 * A metric FAILs (for good) once its e-value reaches 1/(α/m) with {@code minSamples} in both
 * groups; is INCONCLUSIVE with fewer samples or no data in the latest interval; else PASSes. The
 * canary FAILs at once when a critical metric fails; a non-critical failure makes the canary FAIL
 * when the analysis ends (it never promotes); any INCONCLUSIVE metric makes the canary
 * INCONCLUSIVE; otherwise it PASSes. A PASS therefore needs every metric to have enough data and
 * data in the latest interval: never a promotion on missing data.
 */
package dev.sluice.activities.analysis.judge;
