package dev.sluice.workflows.canary;

import dev.sluice.model.CanaryOptions;
import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.OptionOverrides;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.model.Strategy;
import dev.sluice.model.Target;
import dev.sluice.workflows.StrategyRules;
import java.util.ArrayList;
import java.util.List;

/**
 * Canary: traffic is split by weight within one backend, so the fleet is one pool of at least two
 * targets (a canary and a stable one); the canary plan, and the rolling settings it promotes with.
 */
public final class CanaryRules implements StrategyRules {

  @Override
  public Strategy strategy() {
    return Strategy.CANARY;
  }

  @Override
  public String workflowType() {
    return CanaryDeploymentWorkflow.TYPE;
  }

  @Override
  public Class<?> workflowImplementation() {
    return CanaryDeploymentWorkflowImpl.class;
  }

  @Override
  public List<String> fleetProblems(String service, List<Target> fleet) {
    List<String> problems = new ArrayList<>();
    if (fleet.stream().map(t -> String.valueOf(t.pool())).distinct().count() > 1) {
      problems.add(
          "a canary splits traffic within one backend; "
              + service
              + "'s targets are in several pools");
    }
    if (fleet.size() < 2) {
      problems.add(
          "a canary needs at least two targets, a canary and a stable one; "
              + service
              + " has "
              + fleet.size());
    }
    return problems;
  }

  @Override
  public String optionsField() {
    return "canary";
  }

  @Override
  public DeploymentRequest.Builder settle(
      OptionOverrides overrides, ServiceDefinition service, DeploymentRequest.Builder request) {
    CanaryOptions canary =
        (overrides.canary() == null ? CanaryOptions.NONE : overrides.canary())
            .orElse(service.canary())
            .orElse(CanaryOptions.DEFAULT);
    return request.rolling(StrategyRules.rolling(overrides, service)).canary(canary);
  }
}
