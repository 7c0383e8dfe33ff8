package dev.sluice.model;

/** What an analysis concluded about a canary. */
public enum Verdict {
  PASS,
  FAIL,
  /** Too little data (no traffic, too few requests, the metrics source unreachable). */
  INCONCLUSIVE
}
