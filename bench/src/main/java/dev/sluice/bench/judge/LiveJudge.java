package dev.sluice.bench.judge;

/** A judge run as live: one check per interval, a fresh instance per scenario. */
public interface LiveJudge {

  /** Checks after {@code interval}; true when the judge fails the canary. */
  boolean fails(Interval interval);
}
