package dev.sluice.workflows.rolling;

import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.OptionOverrides;
import dev.sluice.model.RollingOptions;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.model.Strategy;
import dev.sluice.model.Target;
import dev.sluice.workflows.StrategyRules;
import java.util.List;

/** Rolling: any fleet, the rolling settings only. */
public final class RollingRules implements StrategyRules {

  @Override
  public Strategy strategy() {
    return Strategy.ROLLING;
  }

  @Override
  public String workflowType() {
    return RollingDeploymentWorkflow.TYPE;
  }

  @Override
  public Class<?> workflowImplementation() {
    return RollingDeploymentWorkflowImpl.class;
  }

  @Override
  public List<String> fleetProblems(String service, List<Target> fleet) {
    return List.of();
  }

  /**
   * Why {@code fleet} cannot roll one zone at a time under {@code options} (a target without a
   * zone, a zone too small for its minimum in service); empty when it can, or when the options do
   * not roll by zone.
   */
  public static List<String> zoneProblems(List<Target> fleet, RollingOptions options) {
    if (options == null || !options.rollsByZone()) {
      return List.of();
    }
    return RollingPlan.zoneProblems(fleet, options).stream()
        .map(problem -> "rolling by zone: " + problem)
        .toList();
  }

  @Override
  public String optionsField() {
    return null;
  }

  @Override
  public DeploymentRequest.Builder settle(
      OptionOverrides overrides, ServiceDefinition service, DeploymentRequest.Builder request) {
    return request.rolling(StrategyRules.rolling(overrides, service));
  }
}
