package dev.sluice.api.services;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.ProviderRegistry;
import dev.sluice.activities.ProviderUnavailableException;
import dev.sluice.api.common.Problems;
import dev.sluice.api.errors.ApiException;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.model.Target;
import java.util.List;

/**
 * A service's fleet as its {@code fleetSource} finds it now: asked when a deployment (or a flag
 * rollout's gate) starts, so that the targets go into that run's input and its history shows
 * exactly which hosts it acted on. A service whose fleet is listed is returned as it is.
 */
public final class FleetSources {

  /** How the targets a source resolved to are named in problems. */
  static final String RESOLVED = "fleetSource.resolved";

  private final ProviderRegistry providers;

  public FleetSources(ProviderRegistry providers) {
    this.providers = providers;
  }

  /**
   * {@code service} with the targets its source resolves to now (the source kept beside them), held
   * to the rules of a listed fleet; {@code service} itself when it lists its fleet.
   *
   * @throws ApiException 422 naming {@code fleetSource} when the source finds no target, AWS
   *     refuses the request (access denied, an unknown target group) or a resolved target breaks a
   *     rule (named {@code fleetSource.resolved[i].id} and so on); 503 when the source cannot be
   *     reached. Nothing is recorded or started in either case.
   */
  public ServiceDefinition resolve(ServiceDefinition service) {
    if (service.fleetSource() == null) {
      return service;
    }
    List<Target> targets;
    try {
      targets = providers.fleetSource(service.fleetSource()).targets();
    } catch (ConfigurationException e) {
      throw ApiException.invalid(
          "fleetSource", service.name() + "'s fleet cannot be resolved: " + e.getMessage());
    } catch (ProviderUnavailableException e) {
      throw ApiException.unavailable(
          service.name()
              + "'s fleet cannot be resolved now ("
              + e.getMessage()
              + "); nothing was started, try again");
    }
    Problems problems = new Problems();
    List<Target> checked = FleetSpecs.resolved(RESOLVED, targets, problems);
    if (targets.isEmpty()) {
      problems.add("fleetSource", service.name() + "'s fleet source found no target");
    }
    problems.throwIfAny();
    return service.withFleet(checked);
  }
}
