package dev.sluice.activities.deploy.localprocess;

import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
import dev.sluice.ports.Deployer.DeployResult;
import dev.sluice.ports.Heartbeat;
import java.util.Map;

/**
 * A stand-in worker for {@link LocalProcessDeployerTest}: deploys once, prints the outcome, then
 * waits to be killed, so the test can SIGKILL the JVM that started an instance.
 *
 * <p>Arguments: workDir sampleAppJar targetId port version requestId.
 */
public final class DeployFromAnotherJvm {

  private DeployFromAnotherJvm() {}

  public static void main(String[] args) throws InterruptedException {
    LocalProcessDeployer deployer =
        LocalProcessDeployer.fromRef(
            new ProviderRef("local-process", Map.of("workDir", args[0], "sampleAppJar", args[1])));
    DeployResult result =
        deployer.deploy(
            new Target(args[2], "127.0.0.1", Integer.parseInt(args[3]), null),
            args[4],
            args[5],
            Heartbeat.NONE);
    System.out.println("deployed ok=" + result.ok() + " " + result.detail());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
