package dev.sluice.workflows.bluegreen;

import dev.sluice.model.BlueGreenOptions;
import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.OptionOverrides;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.model.Strategy;
import dev.sluice.model.Target;
import dev.sluice.workflows.StrategyRules;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Blue-green: two pools, every target in one of them; its own settings (approval, rollback window);
 * an abort inside the rollback window switches traffic back, so a rollback may be one.
 */
public final class BlueGreenRules implements StrategyRules {

  @Override
  public Strategy strategy() {
    return Strategy.BLUE_GREEN;
  }

  @Override
  public String workflowType() {
    return BlueGreenDeploymentWorkflow.TYPE;
  }

  @Override
  public Class<?> workflowImplementation() {
    return BlueGreenDeploymentWorkflowImpl.class;
  }

  /** Every target needs a pool, and there must be exactly two pools. */
  @Override
  public List<String> fleetProblems(String service, List<Target> fleet) {
    Set<String> pools = new TreeSet<>();
    for (Target target : fleet) {
      if (target.pool() == null || target.pool().isBlank()) {
        return List.of("blue-green needs a pool on every target; " + target.id() + " has none");
      }
      pools.add(target.pool());
    }
    return pools.size() == 2
        ? List.of()
        : List.of("blue-green needs exactly two pools, the fleet has " + pools);
  }

  @Override
  public String optionsField() {
    return "blueGreen";
  }

  @Override
  public DeploymentRequest.Builder settle(
      OptionOverrides overrides, ServiceDefinition service, DeploymentRequest.Builder request) {
    BlueGreenOptions blueGreen =
        (overrides.blueGreen() == null ? BlueGreenOptions.NONE : overrides.blueGreen())
            .orElse(service.blueGreen())
            .orElse(BlueGreenOptions.DEFAULT);
    return request.rolling(StrategyRules.rolling(overrides, service)).blueGreen(blueGreen);
  }

  @Override
  public boolean abortSwitchesBack() {
    return true;
  }
}
