package dev.sluice.ports;

import dev.sluice.model.Target;
import java.time.Duration;
import java.util.List;

/**
 * Port to a load balancer in front of a fleet. Implementations act on one router configuration (one
 * HAProxy backend, one ALB target group) named by the service definition's settings; the target's
 * {@link Target#id()} is its name at the router.
 */
public interface TrafficRouter {

  /**
   * Takes {@code target} out of rotation (no new sessions) and waits until its current sessions
   * reach zero or {@code timeout} passes. Idempotent: draining a drained target waits again.
   *
   * @return how the drain ended; never {@code null}
   */
  DrainResult drain(Target target, Duration timeout, Heartbeat heartbeat);

  /**
   * Puts {@code target} back into rotation and waits up to {@code timeout} until the router reports
   * it able to take traffic (its own health checks passing, where it has any). Idempotent.
   *
   * @return whether the router reports the target up; never {@code null}
   */
  EnableResult enable(Target target, Duration timeout, Heartbeat heartbeat);

  /**
   * Sends {@code canaryPercent}% of new traffic to {@code canary} and the rest to {@code stable}
   * (by weights, spread evenly within each group). At 0 the canary gets no traffic at all, also
   * from clients pinned to it by a sticky-session cookie; at 100 the stable targets get none.
   * Idempotent.
   *
   * @param canaryPercent 0 to 100
   */
  void split(List<Target> canary, List<Target> stable, int canaryPercent);

  /**
   * Routes all new traffic to the targets of {@code pool} in one atomic router operation, so no new
   * request reaches the other pool once this returns. Idempotent.
   *
   * <p>An unknown pool is a configuration error (not retried).
   */
  void switchPool(String pool);

  /** The pool taking traffic now, or {@code null} when this router is not set up with pools. */
  String activePool();

  /** How a drain ended. */
  record DrainResult(boolean drained, long remainingSessions, long waitedMillis) {}

  /** How an enable ended; {@code status} is the router's own word for the target's state. */
  record EnableResult(boolean up, String status) {}
}
