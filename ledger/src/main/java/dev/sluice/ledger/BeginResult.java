package dev.sluice.ledger;

/**
 * What {@link Ledger#begin} did. Expected outcomes are values, not exceptions, so the API maps each
 * to its answer (201, 200, 422, 409) in one switch.
 */
public sealed interface BeginResult {

  /** The deployment was recorded as PENDING and holds its service's lock. */
  record Created(DeploymentRecord deployment) implements BeginResult {}

  /**
   * The idempotency key was seen before with the same request fingerprint: a client retry. Nothing
   * was written; {@code deployment} is the one the first request created.
   */
  record Existing(DeploymentRecord deployment) implements BeginResult {}

  /**
   * The idempotency key was seen before with a different request fingerprint: the client reused a
   * key for another request. Nothing was written; {@code deployment} is the key's deployment.
   */
  record KeyReused(DeploymentRecord deployment) implements BeginResult {}

  /** Another deployment of the service is in progress; nothing was written. */
  record Busy(String runningDeploymentId) implements BeginResult {}
}
