package dev.sluice.ports;

import dev.sluice.model.HealthCheckSpec;
import dev.sluice.model.Target;

/** Port to a health check of one target, asked directly (not through the router). */
public interface HealthChecker {

  /**
   * Probes {@code target} until {@code spec.consecutiveSuccesses()} probes in a row succeed or
   * {@code spec.timeout()} passes, heartbeating after every probe.
   *
   * @return the verdict; an unhealthy target is a result, never an exception
   */
  HealthResult waitHealthy(Target target, HealthCheckSpec spec, Heartbeat heartbeat);

  /** Verdict of a health wait; {@code lastError} says why the last failing probe failed. */
  record HealthResult(boolean healthy, int probes, int consecutiveSuccesses, String lastError) {}
}
