package dev.sluice.activities;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
import dev.sluice.ports.Deployer;
import dev.sluice.ports.Heartbeat;
import dev.sluice.workflows.activities.DeployActivities.DescribeCall;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Describing a fleet asks several targets at once and answers in the fleet's order. */
class DeployActivitiesImplTest {

  /** Answers only once {@code together} calls are in flight at the same time. */
  static final class Waiting implements Deployer {
    final CountDownLatch together;
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger most = new AtomicInteger();

    Waiting(int together) {
      this.together = new CountDownLatch(together);
    }

    @Override
    public TargetRuntime describe(Target target) {
      most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      together.countDown();
      try {
        if (!together.await(10, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the targets were asked one at a time");
        }
        if (target.id().equals("bad")) {
          throw new IllegalStateException("host bad unreachable");
        }
        return new TargetRuntime(target.id(), "v-" + target.id(), true);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      } finally {
        inFlight.decrementAndGet();
      }
    }

    @Override
    public DeployResult deploy(Target target, String version, String requestId, Heartbeat beat) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void stop(Target target) {
      throw new UnsupportedOperationException();
    }
  }

  static List<Target> fleet(int size) {
    List<Target> targets = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      targets.add(new Target("t" + i, "127.0.0.1", 9000 + i, null));
    }
    return targets;
  }

  @Test
  void severalTargetsAreAskedAtOnceAndTheAnswersKeepTheFleetsOrder() {
    Waiting deployer = new Waiting(8);
    DeployActivitiesImpl activities =
        new DeployActivitiesImpl(new ProviderRegistry().deployer("waiting", ref -> deployer));

    List<Deployer.TargetRuntime> runtimes =
        activities.describe(new DescribeCall(ProviderRef.of("waiting"), fleet(40)));

    assertThat(runtimes)
        .extracting(Deployer.TargetRuntime::targetId)
        .containsExactlyElementsOf(fleet(40).stream().map(Target::id).toList());
    assertThat(runtimes.get(7).version()).isEqualTo("v-t7");
    assertThat(deployer.most.get()).isEqualTo(8);
  }

  @Test
  void aTargetThatCannotBeAskedFailsTheWholeDescription() {
    Waiting deployer = new Waiting(2);
    DeployActivitiesImpl activities =
        new DeployActivitiesImpl(new ProviderRegistry().deployer("waiting", ref -> deployer));
    List<Target> targets = List.of(fleet(1).get(0), new Target("bad", "127.0.0.1", 1, null));

    assertThatThrownBy(
            () -> activities.describe(new DescribeCall(ProviderRef.of("waiting"), targets)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("host bad unreachable");
  }
}
