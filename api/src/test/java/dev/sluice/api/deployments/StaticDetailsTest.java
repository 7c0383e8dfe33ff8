package dev.sluice.api.deployments;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.model.AnalysisSpec;
import dev.sluice.model.BlueGreenOptions;
import dev.sluice.model.CanaryOptions;
import dev.sluice.model.CanaryStep;
import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.IntOrPercent;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.RollingOptions;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.model.Target;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class StaticDetailsTest {

  static final ServiceDefinition SERVICE =
      new ServiceDefinition(
          "checkout",
          List.of(
              new Target("t1", "127.0.0.1", 9001, null),
              new Target("t2", "127.0.0.1", 9002, null),
              new Target("t3", "127.0.0.1", 9003, null)),
          ProviderRef.of("haproxy"),
          ProviderRef.of("local-process"),
          null,
          "rolling",
          null);

  static DeploymentRequest request(String strategy, CanaryOptions canary, BlueGreenOptions bg) {
    return DeploymentRequest.builder()
        .deploymentId("dep-1")
        .service(SERVICE)
        .version("2.0.0")
        .strategy(strategy)
        .rolling(RollingOptions.DEFAULT)
        .requestedBy("ci")
        .canary(canary)
        .blueGreen(bg)
        .build();
  }

  @Test
  void aCanaryShowsItsPlanNotTheRollingSettings() {
    CanaryOptions plan =
        new CanaryOptions(
            List.of(
                CanaryStep.weight(10),
                CanaryStep.analyse(
                    new AnalysisSpec(
                        Duration.ofMinutes(15), null, null, null, null, null, null, null)),
                CanaryStep.pauseUntilPromoted(),
                CanaryStep.weight(50)),
            IntOrPercent.count(1));

    String details = StaticDetails.of(request("canary", plan, null));

    assertThat(details)
        .contains("requested by **ci**")
        .contains("3 targets · 1 canary")
        .contains("plan: 10% → analysis 15m → pause until promoted → 50% → promote the stable")
        .doesNotContain("batch");
  }

  @Test
  void aBlueGreenShowsItsGates() {
    BlueGreenOptions bg =
        new BlueGreenOptions(null, true, Duration.ofHours(1), null, null, null, null)
            .orElse(BlueGreenOptions.DEFAULT);

    assertThat(StaticDetails.of(request("blue-green", null, bg)))
        .contains("approval by promote (or after 1h)")
        .contains("warm-up 1m")
        .contains("rollback window 30m")
        .doesNotContain("batch");
  }

  @Test
  void aRollingDeploymentShowsItsBatches() {
    assertThat(StaticDetails.of(request("rolling", null, null)))
        .contains("3 targets · batch 25%")
        .contains("pause 10s");
  }
}
