package dev.sluice.api.releases;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.errors.ApiException;
import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.Release;
import dev.sluice.model.RollingOptions;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.model.Target;
import dev.sluice.workflows.release.ReleaseWorkflow.Children;
import dev.sluice.workflows.release.ReleaseWorkflow.Stage;
import dev.sluice.workflows.release.ReleaseWorkflow.Status;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@link Releases} decides without Temporal: the gate, ids, fingerprints and views. */
class ReleasesTest {

  @Test
  void gateOpensByItselfAfterTheGivenDurationOrWaitsForPromote() {
    assertThat(Releases.gateAfter(new ReleaseGateBody("2h"))).isEqualTo(Duration.ofHours(2));
    assertThat(Releases.gateAfter(new ReleaseGateBody("0s"))).isEqualTo(Duration.ZERO);
    assertThat(Releases.gateAfter(new ReleaseGateBody(null))).isNull();
    assertThat(Releases.gateAfter(null)).isNull();
  }

  @Test
  void gateRefusesWhatIsNotADurationAndMoreThanThirtyDays() {
    assertThatThrownBy(() -> Releases.gateAfter(new ReleaseGateBody("soon")))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.body().field()).isEqualTo("gate.after");
              assertThat(e.body().message()).contains("must be a duration");
            });
    assertThatThrownBy(() -> Releases.gateAfter(new ReleaseGateBody("31d")))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> assertThat(e.body().message()).isEqualTo("must be between 0 and 30 days"));
  }

  @Test
  void theSameCallersSameKeyNamesTheSameRelease() {
    String id = Releases.idFromKey("ci", "key-1");

    assertThat(id).matches(Releases.ID).isEqualTo(Releases.idFromKey("ci", "key-1"));
    assertThat(Releases.idFromKey("alice", "key-1")).isNotEqualTo(id);
    assertThat(Releases.idFromKey("ci", "key-2")).isNotEqualTo(id);
  }

  @Test
  void aDifferentRequestHasADifferentFingerprint() {
    ReleaseBody body = new ReleaseBody(null, null, null, new ReleaseGateBody("1h"), "why");

    assertThat(Releases.fingerprint(body))
        .isEqualTo(
            Releases.fingerprint(
                new ReleaseBody(null, null, null, new ReleaseGateBody("1h"), "why")))
        .isNotEqualTo(Releases.fingerprint(new ReleaseBody(null, null, null, null, "why")));
  }

  @Test
  void aViewLinksEachStageToItsOwnView() {
    Status status =
        new Status(
            Stage.DEPLOYMENT,
            null,
            List.of("starting"),
            new Children("migration-orders", "dep-2", "dep-1", "flag-rollout-checkout"));

    ReleaseView view = Releases.view("rel-0123456789ab", status);

    assertThat(view.stage()).isEqualTo("DEPLOYMENT");
    assertThat(view.links())
        .isEqualTo(
            Map.of(
                "self", "/api/v1/releases/rel-0123456789ab",
                "migration", "/api/v1/migrations/orders",
                "deployment", "/api/v1/deployments/dep-2",
                "rollback", "/api/v1/deployments/dep-1",
                "flagRollout", "/api/v1/flags/checkout/rollouts/current"));
  }

  @Test
  void aReleaseNoWorkerAnsweredForIsUnknownWithItsSelfLink() {
    ReleaseView view = Releases.unanswered("rel-0123456789ab");

    assertThat(view.stage()).isEqualTo("UNKNOWN");
    assertThat(view.reason()).isEqualTo("no worker answered for its state within 5 s");
    assertThat(view.links()).isEqualTo(Map.of("self", "/api/v1/releases/rel-0123456789ab"));
  }

  @Test
  void theSummaryNamesTheStagesInOrder() {
    ServiceDefinition service =
        new ServiceDefinition(
            "checkout",
            List.of(new Target("t1", "127.0.0.1", 9001, null)),
            ProviderRef.of("haproxy"),
            ProviderRef.of("local-process"),
            null,
            "rolling",
            null);
    DeploymentRequest deployment =
        DeploymentRequest.builder()
            .deploymentId("dep-1")
            .service(service)
            .version("2.0.0")
            .strategy("rolling")
            .rolling(RollingOptions.DEFAULT)
            .requestedBy("ci")
            .build();

    assertThat(
            Releases.summary(
                new Release("rel-0123456789ab", null, deployment, null, null, null, "ci")))
        .isEqualTo("release: checkout 2.0.0 (rolling)");
  }
}
