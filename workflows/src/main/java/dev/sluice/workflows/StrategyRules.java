package dev.sluice.workflows;

import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.OptionOverrides;
import dev.sluice.model.RollingOptions;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.model.Strategy;
import dev.sluice.model.Target;
import java.util.List;

/**
 * What Sluice knows of one strategy, in one place: the workflow that runs it, what its fleet must
 * look like, which settings it takes and how they merge. The API asks these rules when a service is
 * defined and when a deployment starts; the worker registers each rule's workflow. Adding a
 * strategy is its enum constant, its workflow and one rules class listed in {@link Strategies}.
 */
public interface StrategyRules {

  Strategy strategy();

  /** The Temporal workflow type that runs a deployment of this strategy. */
  String workflowType();

  /** The workflow implementation the worker registers for {@link #workflowType()}. */
  Class<?> workflowImplementation();

  /**
   * Why {@code fleet} cannot run this strategy, one sentence each; empty when it can.
   *
   * @param service the service's name, for the sentences
   */
  List<String> fleetProblems(String service, List<Target> fleet);

  /**
   * The name of this strategy's own settings block in service definitions and deployment requests
   * ({@code canary}, {@code blueGreen}), or {@code null} when it has none beyond the rolling ones.
   */
  String optionsField();

  /**
   * Sets the deployment's effective settings on {@code request}: for each block this strategy uses,
   * the deployment's overrides over the service's defaults over Sluice's, every field set; the
   * blocks it does not use stay {@code null}.
   */
  DeploymentRequest.Builder settle(
      OptionOverrides overrides, ServiceDefinition service, DeploymentRequest.Builder request);

  /**
   * Whether aborting a running deployment of this strategy puts the old version back at once
   * (blue-green's switch-back), so that a rollback of its service may be an abort.
   */
  default boolean abortSwitchesBack() {
    return false;
  }

  /** The rolling settings every strategy carries: overrides, then service, then defaults. */
  static RollingOptions rolling(OptionOverrides overrides, ServiceDefinition service) {
    return (overrides.rolling() == null ? RollingOptions.NONE : overrides.rolling())
        .orElse(service.rolling())
        .orElse(RollingOptions.DEFAULT);
  }
}
