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
 * @param note why Sluice started it when it was not asked for as such (a service rollback: {@code
 *     "fast rollback: <reason>"}), said in its started event; {@code null} for a plain request and
 *     in deployments started before Sluice had it
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
    Integer parentEventBase,
    String note) {

  /** A request to build field by field: {@code DeploymentRequest.builder().deploymentId(...)}. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this request's fields, to change some of them. */
  public Builder toBuilder() {
    return new Builder()
        .deploymentId(deploymentId)
        .service(service)
        .version(version)
        .strategy(strategy)
        .rolling(rolling)
        .requestedBy(requestedBy)
        .searchAttributes(searchAttributes)
        .canary(canary)
        .blueGreen(blueGreen)
        .parentDeploymentId(parentDeploymentId)
        .autoRollback(autoRollback)
        .parentEventBase(parentEventBase)
        .note(note);
  }

  /** This request with other post-deploy monitoring settings. */
  public DeploymentRequest withAutoRollback(AutoRollbackSpec autoRollback) {
    return toBuilder().autoRollback(autoRollback).build();
  }

  /** This child's request with its events recorded under the parent, shifted by {@code base}. */
  public DeploymentRequest withParentEventBase(int base) {
    return toBuilder().parentEventBase(base).build();
  }

  /** Builds a {@link DeploymentRequest}; what is not set stays {@code null} (or false). */
  public static final class Builder {
    private String deploymentId;
    private ServiceDefinition service;
    private String version;
    private String strategy;
    private RollingOptions rolling;
    private String requestedBy;
    private boolean searchAttributes;
    private CanaryOptions canary;
    private BlueGreenOptions blueGreen;
    private String parentDeploymentId;
    private AutoRollbackSpec autoRollback;
    private Integer parentEventBase;
    private String note;

    private Builder() {}

    public Builder deploymentId(String deploymentId) {
      this.deploymentId = deploymentId;
      return this;
    }

    public Builder service(ServiceDefinition service) {
      this.service = service;
      return this;
    }

    public Builder version(String version) {
      this.version = version;
      return this;
    }

    public Builder strategy(String strategy) {
      this.strategy = strategy;
      return this;
    }

    public Builder rolling(RollingOptions rolling) {
      this.rolling = rolling;
      return this;
    }

    public Builder requestedBy(String requestedBy) {
      this.requestedBy = requestedBy;
      return this;
    }

    public Builder searchAttributes(boolean searchAttributes) {
      this.searchAttributes = searchAttributes;
      return this;
    }

    public Builder canary(CanaryOptions canary) {
      this.canary = canary;
      return this;
    }

    public Builder blueGreen(BlueGreenOptions blueGreen) {
      this.blueGreen = blueGreen;
      return this;
    }

    public Builder parentDeploymentId(String parentDeploymentId) {
      this.parentDeploymentId = parentDeploymentId;
      return this;
    }

    public Builder autoRollback(AutoRollbackSpec autoRollback) {
      this.autoRollback = autoRollback;
      return this;
    }

    public Builder parentEventBase(Integer parentEventBase) {
      this.parentEventBase = parentEventBase;
      return this;
    }

    public Builder note(String note) {
      this.note = note;
      return this;
    }

    public DeploymentRequest build() {
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
          parentEventBase,
          note);
    }
  }
}
