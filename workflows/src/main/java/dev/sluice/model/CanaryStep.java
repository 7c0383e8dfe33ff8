package dev.sluice.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;

/**
 * One step of a canary plan, in the style of Argo Rollouts: exactly one of {@code setWeight} (send
 * that share of traffic to the canary), {@code pause} (wait a duration, or for a promote when the
 * duration is null) or {@code analysis} (watch the canary against the stable servers for a while;
 * failing it aborts the canary).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CanaryStep(Integer setWeight, Pause pause, AnalysisSpec analysis) {

  public static CanaryStep weight(int percent) {
    return new CanaryStep(percent, null, null);
  }

  public static CanaryStep pauseFor(Duration duration) {
    return new CanaryStep(null, new Pause(duration), null);
  }

  /** A pause that lasts until someone promotes. */
  public static CanaryStep pauseUntilPromoted() {
    return new CanaryStep(null, new Pause(null), null);
  }

  public static CanaryStep analyse(AnalysisSpec analysis) {
    return new CanaryStep(null, null, analysis);
  }

  /** A wait: {@code duration} null means until promoted. */
  public record Pause(Duration duration) {}

  /** Short text for summaries: {@code setWeight 25}, {@code pause 15m}, {@code analysis 15m}. */
  public String describe() {
    if (setWeight != null) {
      return "setWeight " + setWeight;
    }
    if (pause != null) {
      return pause.duration() == null ? "pause until promoted" : "pause " + text(pause.duration());
    }
    return "analysis " + text(analysis.duration());
  }

  /** {@code 15m}, {@code 2h}, {@code 45s}. */
  public static String text(Duration d) {
    long s = d.getSeconds();
    if (s % 3600 == 0 && s > 0) {
      return s / 3600 + "h";
    }
    if (s % 60 == 0 && s > 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }
}
