package dev.sluice.model;

/**
 * Workflow input of every deployment strategy: what to deploy, where, and with which settings,
 * fully resolved at start (service defaults and the request's overrides already merged).
 *
 * @param deploymentId the deployment's id, also its workflow id
 * @param service snapshot of the service definition at start
 * @param version version to deploy
 * @param strategy strategy id
 * @param rolling effective rolling settings (every field set)
 * @param requestedBy who asked for it (token or user name), for the audit trail
 * @param searchAttributes whether Sluice's custom search attributes are registered on the
 *     namespace, so the workflow may upsert them
 * @param canary effective canary settings; null for other strategies
 * @param blueGreen effective blue-green settings; null for other strategies
 * @param parentDeploymentId set when this runs as a child of another deployment (a canary's
 *     promotion of its stable servers): the parent records progress in the ledger, not the child
 * @param autoRollback effective post-deploy monitoring settings (every field set; a zero window
 *     turns it off); {@code null} in deployments started before Sluice had it
 * @param parentEventBase for a child: the number its events are shifted by in the parent's event
 *     list, so the ledger shows the child's steps as they happen under the parent's id; {@code
 *     null} otherwise (and in children started before Sluice recorded them)
 */
public record DeploymentRequest(
    String deploymentId,
    ServiceDefinition service,
    String version,
    String strategy,
    RollingOptions rolling,
    String requestedBy,
    boolean searchAttributes,
    CanaryOptions canary,
    BlueGreenOptions blueGreen,
    String parentDeploymentId,
    AutoRollbackSpec autoRollback,
    Integer parentEventBase) {

  /** A request that is not a recorded child. */
  public DeploymentRequest(
      String deploymentId,
      ServiceDefinition service,
      String version,
      String strategy,
      RollingOptions rolling,
      String requestedBy,
      boolean searchAttributes,
      CanaryOptions canary,
      BlueGreenOptions blueGreen,
      String parentDeploymentId,
      AutoRollbackSpec autoRollback) {
    this(
        deploymentId,
        service,
        version,
        strategy,
        rolling,
        requestedBy,
        searchAttributes,
        canary,
        blueGreen,
        parentDeploymentId,
        autoRollback,
        null);
  }

  /** A request without post-deploy monitoring settings (they then take the defaults). */
  public DeploymentRequest(
      String deploymentId,
      ServiceDefinition service,
      String version,
      String strategy,
      RollingOptions rolling,
      String requestedBy,
      boolean searchAttributes,
      CanaryOptions canary,
      BlueGreenOptions blueGreen,
      String parentDeploymentId) {
    this(
        deploymentId,
        service,
        version,
        strategy,
        rolling,
        requestedBy,
        searchAttributes,
        canary,
        blueGreen,
        parentDeploymentId,
        null);
  }

  /** This request with other post-deploy monitoring settings. */
  public DeploymentRequest withAutoRollback(AutoRollbackSpec autoRollback) {
    return new DeploymentRequest(
        deploymentId,
        service,
        version,
        strategy,
        rolling,
        requestedBy,
        searchAttributes,
        canary,
        blueGreen,
        parentDeploymentId,
        autoRollback,
        parentEventBase);
  }

  /** This child's request with its events recorded under the parent, shifted by {@code base}. */
  public DeploymentRequest withParentEventBase(int base) {
    return new DeploymentRequest(
        deploymentId,
        service,
        version,
        strategy,
        rolling,
        requestedBy,
        searchAttributes,
        canary,
        blueGreen,
        parentDeploymentId,
        autoRollback,
        base);
  }

  /** A rolling deployment's request. */
  public DeploymentRequest(
      String deploymentId,
      ServiceDefinition service,
      String version,
      String strategy,
      RollingOptions rolling,
      String requestedBy,
      boolean searchAttributes) {
    this(
        deploymentId,
        service,
        version,
        strategy,
        rolling,
        requestedBy,
        searchAttributes,
        null,
        null,
        null);
  }
}
