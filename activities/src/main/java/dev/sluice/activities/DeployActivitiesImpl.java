package dev.sluice.activities;

import dev.sluice.model.Target;
import dev.sluice.ports.Deployer;
import dev.sluice.ports.Deployer.DeployResult;
import dev.sluice.ports.Deployer.TargetRuntime;
import dev.sluice.ports.Heartbeat;
import dev.sluice.workflows.activities.DeployActivities;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Dispatches deploy steps to the deployer adapter the call names. */
public final class DeployActivitiesImpl implements DeployActivities {

  private static final int PARALLEL = 8;

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

  /**
   * Asks the deployer about every target, {@value #PARALLEL} at a time (a deployer that asks hosts
   * over the network would otherwise take a fleet's size in round trips), heartbeating as answers
   * come; the answers keep the targets' order.
   */
  @Override
  public List<TargetRuntime> describe(DescribeCall call) {
    return Activities.run(
        () -> {
          Deployer deployer = registry.deployer(call.deployer());
          Heartbeat heartbeat = Activities.heartbeat();
          List<Target> targets = call.targets();
          ExecutorService pool =
              Executors.newFixedThreadPool(Math.max(1, Math.min(PARALLEL, targets.size())));
          try {
            List<Future<TargetRuntime>> asked = new ArrayList<>();
            for (Target target : targets) {
              asked.add(pool.submit(() -> deployer.describe(target)));
            }
            List<TargetRuntime> runtimes = new ArrayList<>();
            for (Future<TargetRuntime> answer : asked) {
              runtimes.add(answer(answer));
              heartbeat.beat("described " + runtimes.size() + " of " + targets.size());
            }
            return runtimes;
          } finally {
            pool.shutdownNow();
          }
        });
  }

  private static TargetRuntime answer(Future<TargetRuntime> answer) {
    try {
      return answer.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while describing the fleet", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(e.getCause());
    }
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
