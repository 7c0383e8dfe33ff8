package dev.sluice.activities;

import dev.sluice.model.Target;
import dev.sluice.ports.Deployer;
import dev.sluice.ports.Deployer.DeployResult;
import dev.sluice.ports.Deployer.TargetRuntime;
import dev.sluice.workflows.activities.DeployActivities;
import java.util.ArrayList;
import java.util.List;

/** Dispatches deploy steps to the deployer adapter the call names. */
public final class DeployActivitiesImpl implements DeployActivities {

  private final ProviderRegistry registry;

  public DeployActivitiesImpl(ProviderRegistry registry) {
    this.registry = registry;
  }

  @Override
  public DeployResult deploy(DeployCall call) {
    return Activities.run(
        () ->
            registry
                .deployer(call.deployer())
                .deploy(call.target(), call.version(), call.requestId(), Activities.heartbeat()));
  }

  @Override
  public List<TargetRuntime> describe(DescribeCall call) {
    return Activities.run(
        () -> {
          Deployer deployer = registry.deployer(call.deployer());
          List<TargetRuntime> runtimes = new ArrayList<>();
          for (Target target : call.targets()) {
            runtimes.add(deployer.describe(target));
          }
          return runtimes;
        });
  }

  @Override
  public void stop(StopCall call) {
    Activities.run(
        () -> {
          registry.deployer(call.deployer()).stop(call.target());
          return null;
        });
  }
}
