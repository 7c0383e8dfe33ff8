/**
 * The sequential canary judge: pure code (no I/O, no clock, no randomness) that compares a canary
 * with the baseline serving in the same windows, interval by interval, and keeps the chance of
 * failing a good canary at most {@code alpha} however often it looks.
 *
 * <h2>Entry points</h2>
 *
 * <ul>
 *   <li>{@link dev.sluice.judge.Judge#replay(JudgeRequest)}: recorded series (JSON, see {@link
 *       dev.sluice.judge.JudgeRequest}) replayed as the live canary would, answering {@link
 *       dev.sluice.judge.JudgeResult}.
 *   <li>{@link dev.sluice.judge.Judge#step}: one interval at a time for the live canary, with a
 *       small serializable {@link dev.sluice.judge.JudgeState}; {@link
 *       dev.sluice.judge.Judge#conclude} when the analysis reaches its planned end.
 *   <li>Bad input: {@link dev.sluice.judge.JudgeInputException}, naming each field by its JSON
 *       path.
 * </ul>
 *
 * <h2>Statistics</h2>
 *
 * Every metric spends its share of α twice, and the two add up: on an <em>e-process</em> checked
 * after every interval, and on one look at its totals when the analysis ends as planned.
 *
 * <h3>Validity, stated once</h3>
 *
 * Let metric i have share αᵢ = α·wᵢ / Σw (see <i>Multiple metrics</i>), split into a sequential
 * part (1 − s)·αᵢ and a final part s·αᵢ, s = {@link dev.sluice.judge.JudgeSpec#FINAL_LOOK_SHARE}.
 *
 * <ol>
 *   <li><b>Every interval.</b> The metric's evidence Eᵢ(t) is a nonnegative supermartingale with
 *       Eᵢ(0) = 1 whenever the canary is within its allowance: each of its tests' likelihood ratios
 *       is one (each interval's factor has expectation ≤ 1 given the past — exactly 1 at the
 *       allowance, checked exactly in {@code AccumulateTest}), a mixture over alternatives with
 *       weights fixed in advance is one, and the metric's e-value is the mean of its tests'. By
 *       Ville's inequality P(∃t: Eᵢ(t) ≥ 1/((1 − s)αᵢ)) ≤ (1 − s)αᵢ: the metric may be checked
 *       after every interval, for as long as the canary runs, and this is what makes its
 *       always-valid p-value 1 / max Eᵢ valid at any stopping time — the mixture sequential
 *       probability ratio test (Robbins 1970) behind the always-valid p-values of Johari, Koomen,
 *       Pekelis and Walsh, <i>Always Valid Inference: Continuous Monitoring of A/B Tests</i>,
 *       Operations Research 70(3), 2022; see also Ramdas, Grünwald, Vovk and Shafer,
 *       <i>Game-theoretic statistics and safe anytime-valid inference</i>, Statistical Science
 *       38(4), 2023.
 *   <li><b>At the end.</b> {@link dev.sluice.judge.Judge#conclude} looks once at each binomial
 *       test's totals ({@link dev.sluice.judge.FinalLook}): given every interval's pooled count,
 *       the canary's successes are a sum of independent binomials with the null's probabilities,
 *       whose upper tail is at most that of one binomial of the same trials and mean (Hoeffding
 *       1956, Theorem 4). The metric's one-look p-value (Bonferroni over its sides and tests) is at
 *       most s·αᵢ with probability at most s·αᵢ. It is a test at one time fixed before the analysis
 *       began — its planned end — so its level needs no correction for the looks before it; an
 *       analysis cut short (no data, a person's abort) takes no final look.
 *   <li><b>Together.</b> The metric fails a good canary only if one of the two events happens: at
 *       most (1 − s)αᵢ + s·αᵢ = αᵢ; over the metrics Σ αᵢ = α (a weighted Bonferroni split).
 * </ol>
 *
 * Why both: an always-valid test pays for being checked at every interval — its boundary sits near
 * √(2 log(1/α)) standard errors where a one-look test needs z_α (3.26 against 2.58 at α = 0.5%) —
 * and the canary's hardest cases are exactly those with a few dozen errors in the whole window,
 * where that gap decides. The look at the end recovers most of it; the sequential test still stops
 * a bad canary as soon as the evidence is there. In {@code ./bench/run judge} (errors ×2 at 10%
 * canary traffic and 100 requests/s, 10 minutes) detection went from 96.7% to 99.2% against 99.5%
 * for a fixed-horizon test given the whole α for errors alone; errors ×3 on a 5% canary at 20–50
 * requests/s from 94.3% to 96.7% in 15 minutes; false failures 0.25% at α = 1%, and the median time
 * to detect over both bad kinds unchanged (180 s) — though errors ×2 alone went from 180 s to 210
 * s, the always-valid test now having half the α it had, which the p95 tail test (below) won back
 * for the latency kinds. Giving the end a quarter of the α instead of half kept the errors ×2
 * median detection at 180 s but detected 98.5%; a prior shifted towards larger ratios (for the
 * low-traffic jumps) changed nothing measurable: the boundary, not the prior, was the limit.
 *
 * <h3>The tests</h3>
 *
 * <ul>
 *   <li><b>ratio</b> (error rate): conditional on the events both groups had in an interval, the
 *       canary's share is binomial with odds ρ·n_c/n_b (ρ the ratio of the rates, n the totals)
 *       whatever the baseline rate — the comparison of two Poisson rates of Przyborowski and
 *       Wilenski (1940) / Lehmann, and the two integers per group of Lindon and Malek's
 *       anytime-valid multinomial test (NeurIPS 2022). The nuisance rate and any drift shared by
 *       both groups drop out; zero events, or zero in the baseline, are simply small observations.
 *       The likelihood ratio against the allowance (ρ₀ = 1 + allowedChange) is mixed over odds
 *       multiples r of ρ₀ (see below). Exact for Poisson counts, conservative for binomial ones.
 *   <li><b>samples</b> (latency): per interval, the canary against the baseline's samples scaled by
 *       the allowance, by three tests whose e-values are averaged: a stratified Mann-Whitney (van
 *       Elteren) statistic — U/(n_c·n_b) − ½ standardized by its exact permutation variance, summed
 *       over intervals and mixed over a half-normal effect prior in closed form (normal
 *       approximation) — for a shift of the bulk; and the canary's share of the pooled samples
 *       beyond the pooled {@code quantile} (p99 by default) and beyond a wider one, 1 − 5(1 −
 *       quantile) (the p95), each hypergeometric under the null and tested like a ratio, with the
 *       same mixture — for a longer tail with the median unchanged, which a rank test cannot see.
 *       The wider tail holds five times the samples, so a regression that lengthens the whole upper
 *       tail (p99 +25% by a larger spread; 5% of requests six times slower) shows there sooner: in
 *       the benchmark it took the p99 +25% canaries' median detection from 180 s to 150 s with the
 *       sequential test's α as before, and kept it at 180 s once half the α went to the look at the
 *       end. The allowance on the samples themselves is the effect-size threshold: a 2% slowdown
 *       with a 5% allowance never fails, whatever the sample size.
 *   <li><b>value</b> (a business figure per interval): a sign test — in how many intervals was the
 *       canary beyond the baseline's allowance? At most half under the null, whatever the noise;
 *       exact, but it needs many intervals. Mixed over odds 1.2, 1.5, 2, 3, 5 and 10 equally: a
 *       consistent regression has large odds, and each interval adds at most log 2 nats.
 * </ul>
 *
 * The one look at the end covers the binomial tests (rate, both tails, sign); the rank test is
 * sequential only.
 *
 * <h3>The mixture over regressions (rate and tail tests)</h3>
 *
 * A mixture e-value is a prior-weighted average of likelihood ratios; any prior fixed in advance
 * keeps it valid, and the prior only decides which regressions are found fastest — the e-process
 * adapts to the effect it sees, as the alternative nearest the truth comes to dominate the average.
 * When the canary is r times worse than allowed, the alternative nearest r, of weight w, costs
 * log(1/w) nats on top of the log(1/α) the threshold asks for. The rate and tail tests count rare
 * events (errors; samples beyond the p95 and p99), whose evidence is scarce: a few dozen events per
 * interval at 100 requests/s. Their prior ({@link dev.sluice.judge.JudgeState.Evidence#WEIGHTS}
 * over {@link dev.sluice.judge.JudgeState.Evidence#ODDS_RATIOS}) therefore puts 70% of its mass on
 * ×1.5 to ×2.5 on a fine grid, 16% on ×3 and ×4, 9% on ×6 and ×10 and 5% on ×1.25:
 *
 * <ul>
 *   <li>a canary ×6 or more worse gains several nats per interval even at 100 requests/s and a 0.5%
 *       error rate, so a small weight delays it by at most about one interval;
 *   <li>×1.25 needs about ten times the data of ×2 (the information grows with (log r)²) — more
 *       than a canary of a few minutes has — so weight on it buys little, and the look at the end
 *       is the better test for it;
 *   <li>around ×2 — the regression the canary must catch (errors ×2, p99 +25%) — detection within
 *       the analysis is in doubt, and there every nat counts.
 * </ul>
 *
 * <h3>Multiple metrics</h3>
 *
 * {@code alpha} (default 0.01) is the budget for the whole canary: metric i gets α·wᵢ / Σw, with
 * weight {@link dev.sluice.judge.JudgeSpec#CRITICAL_WEIGHT} (2) for a critical metric and 1 for
 * another — a weighted Bonferroni split, valid because the shares add up to α. A critical metric
 * rolls the canary back the moment it fails, so that is where power buys the most; two metrics of
 * the same kind share evenly. The tests within a metric (both sides for {@code either}; rank and
 * tails for samples) share its e-value by averaging, and its final look by Bonferroni.
 *
 * <h2>Verdicts</h2>
 *
 * A metric FAILs (for good) once its e-value reaches 1/((1 − s)αᵢ) with {@code minSamples} in both
 * groups, or at the end when its one-look p-value is at most s·αᵢ; is INCONCLUSIVE with fewer
 * samples or no data in the latest interval; else PASSes — during the analysis "no significant
 * regression so far", at its end "not enough evidence of a regression", with the smallest
 * regression the window could have detected with 80% power ({@code detectable}: for errors, the
 * canary's rate as a multiple of the baseline's), so a pass says what it is worth and a user can
 * size the next canary. The canary FAILs at once when a critical metric fails; a non-critical
 * failure makes the canary FAIL when the analysis ends (it never promotes); any INCONCLUSIVE metric
 * makes the canary INCONCLUSIVE; otherwise it PASSes. A PASS therefore needs every metric to have
 * enough data and data in the latest interval: never a promotion on missing data.
 */
package dev.sluice.judge;
