package dev.sluice.ports;

import dev.sluice.model.Target;

/** Port to whatever installs and starts a version of the service on a target. */
public interface Deployer {

  /**
   * Stops what runs on {@code target} and starts {@code version} there; returns once the new
   * instance is started (health is judged separately). Idempotent per {@code requestId}: when the
   * target already runs {@code version} because of this request, does nothing and says so.
   *
   * @return the outcome; a failure to start is a result with {@code ok == false}, not an exception
   */
  DeployResult deploy(Target target, String version, String requestId, Heartbeat heartbeat);

  /** What runs on {@code target} now; never {@code null}, version {@code null} when unknown. */
  TargetRuntime describe(Target target);

  /** Stops whatever runs on {@code target}; does nothing when nothing runs. */
  void stop(Target target);

  /**
   * Outcome of a deploy.
   *
   * @param alreadyDone the request had already been carried out (a retry after a crash)
   */
  record DeployResult(boolean ok, String version, boolean alreadyDone, String detail) {}

  /** What a target runs: the version (null when unknown) and whether it is running. */
  record TargetRuntime(String targetId, String version, boolean running) {}
}
