package dev.sluice.api.metrics;

import dev.sluice.flags.ErrorCode;
import dev.sluice.flags.EvaluationResult;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * {@code sluice_flag_evaluations_total}: the evaluations the REST API served, by flag, variant and
 * reason. Counted beside the engine, not in it, so the engine's hot path (benchmarked, and embedded
 * by applications) stays as it is; one label lookup and an add per request. Evaluations that
 * applications run locally on their snapshot (the OpenFeature provider) never reach Sluice and are
 * not counted.
 */
public final class FlagEvaluationMetrics {

  /**
   * The flag label of an evaluation of a key that names no flag: callers choose keys freely, and
   * one series each would let any client grow the registry without bound.
   */
  static final String UNKNOWN_FLAG = "(unknown)";

  private final Counter evaluations;

  FlagEvaluationMetrics(PrometheusRegistry registry) {
    this.evaluations =
        Counter.builder()
            .name("sluice_flag_evaluations_total")
            .help(
                "Flag evaluations served by the REST API, by flag, variant (empty when none was"
                    + " chosen) and reason (STATIC, TARGETING_MATCH, SPLIT, DEFAULT, DISABLED,"
                    + " ERROR)")
            .labelNames("flag", "variant", "reason")
            .register(registry);
  }

  /** Counts one evaluation of {@code key} that ended in {@code result}. */
  public void served(String key, EvaluationResult<?> result) {
    String flag = result.errorCode() == ErrorCode.FLAG_NOT_FOUND ? UNKNOWN_FLAG : key;
    String variant = result.variant() == null ? "" : result.variant();
    evaluations.labelValues(flag, variant, result.reason().name()).inc();
  }
}
