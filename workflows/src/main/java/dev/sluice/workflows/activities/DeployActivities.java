package dev.sluice.workflows.activities;

import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
import dev.sluice.ports.Deployer.DeployResult;
import dev.sluice.ports.Deployer.TargetRuntime;
import io.temporal.activity.ActivityInterface;
import java.util.List;

/** Deployer steps as activities; the deployer named in each call picks the adapter. */
@ActivityInterface(namePrefix = "Deploy")
public interface DeployActivities {

  /** Installs and starts a version on one target; idempotent per {@code requestId}. */
  DeployResult deploy(DeployCall call);

  /** What each target runs now, in the order given. */
  List<TargetRuntime> describe(DescribeCall call);

  /** Stops whatever runs on the target; does nothing when nothing runs. */
  void stop(StopCall call);

  record StopCall(ProviderRef deployer, Target target) {}

  record DeployCall(ProviderRef deployer, Target target, String version, String requestId) {}

  record DescribeCall(ProviderRef deployer, List<Target> targets) {}
}
