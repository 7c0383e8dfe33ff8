package dev.sluice.api.deployments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.sluice.api.errors.ApiException;
import dev.sluice.ledger.DeploymentRecord;
import dev.sluice.model.AnalysisPoint;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.model.Target;
import dev.sluice.model.Verdict;
import dev.sluice.model.Waiting;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Deployments as {@link DeploymentViews} shows them: state, links, events only for one. */
class DeploymentViewsTest {

  final LedgerFixture fixture = new LedgerFixture();
  final DeploymentViews views = new DeploymentViews(fixture.ledger, null, null);

  @AfterEach
  void close() {
    fixture.close();
  }

  @Test
  void anUnknownDeploymentIsNotFound() {
    assertThatThrownBy(() -> views.view("dep-ghost"))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
  }

  @Test
  void aDeploymentNotYetFinishedLinksToItsControls() {
    String id = fixture.recorded("dep-0000000001", null);

    DeploymentView view = views.view(id);

    assertThat(view.service()).isEqualTo("shop");
    assertThat(view.version()).isEqualTo("2.0.0");
    assertThat(view.events()).isNotNull();
    assertThat(view.links())
        .containsEntry("self", "/api/v1/deployments/" + id)
        .containsEntry("history", "/api/v1/services/shop/history")
        .containsEntry("pause", "/api/v1/deployments/" + id + "/pause")
        .containsEntry("promote", "/api/v1/deployments/" + id + "/promote")
        .doesNotContainKeys("retry", "release", "temporal");
  }

  @Test
  void aReleaseStageNotYetStartedLinksToItsReleaseInsteadOfControls() {
    String id = fixture.recorded("dep-0000000002", "rel-0123456789ab");

    assertThat(views.view(id).links())
        .containsEntry("release", "/api/v1/releases/rel-0123456789ab")
        .doesNotContainKeys("pause", "abort");
  }

  @Test
  void aListShowsNoEvents() {
    fixture.recorded("dep-0000000003", null);

    assertThat(views.list("shop", null, 10))
        .singleElement()
        .satisfies(v -> assertThat(v.events()).isNull());
  }

  static DeploymentRecord record(DeploymentState state, String reason, Waiting waiting) {
    return new DeploymentRecord(
        "dep-1",
        "shop",
        "2.0.0",
        "canary",
        state,
        null,
        1,
        3,
        reason,
        "1.0.0",
        null,
        "ci",
        null,
        null,
        null,
        List.of(),
        Instant.EPOCH,
        Instant.EPOCH,
        null,
        null,
        waiting,
        25);
  }

  @Test
  void aDeploymentNeedsAttentionWhenItWaitsForAPersonFailedOrCouldNotDecide() {
    Waiting promote = new Waiting("pause until promoted", Instant.EPOCH, null);
    Waiting bake = new Waiting("bake 10m", Instant.EPOCH, Instant.EPOCH.plusSeconds(600));

    assertThat(DeploymentViews.needsAttention(record(DeploymentState.PAUSED, null, null))).isTrue();
    assertThat(DeploymentViews.needsAttention(record(DeploymentState.FAILED, "boom", null)))
        .isTrue();
    assertThat(DeploymentViews.needsAttention(record(DeploymentState.RUNNING, null, promote)))
        .isTrue();
    assertThat(
            DeploymentViews.needsAttention(
                record(DeploymentState.ROLLED_BACK, "analysis inconclusive: no data", null)))
        .isTrue();

    assertThat(DeploymentViews.needsAttention(record(DeploymentState.RUNNING, null, bake)))
        .as("a bake ends by itself")
        .isFalse();
    assertThat(DeploymentViews.needsAttention(record(DeploymentState.SUCCEEDED, null, promote)))
        .as("a finished deployment waits for nobody")
        .isFalse();
    assertThat(DeploymentViews.needsAttention(record(DeploymentState.ROLLED_BACK, "errors", null)))
        .isFalse();
  }

  @Test
  void eachTargetShowsThePoolAndZoneItsFleetGivesIt() {
    ServiceDefinition pooled =
        new ServiceDefinition(
            "shop",
            List.of(
                new Target("t1", "127.0.0.1", 9101, "blue", "eu-1a"),
                new Target("t2", "127.0.0.1", 9102, "green", "eu-1b")),
            LedgerFixture.SHOP.trafficRouter(),
            LedgerFixture.SHOP.deployer(),
            null,
            "blue-green",
            null);
    String id = fixture.recorded("dep-0000000004", null, pooled);

    assertThat(views.view(id).targets())
        .extracting(
            DeploymentView.TargetView::id,
            DeploymentView.TargetView::pool,
            DeploymentView.TargetView::zone)
        .containsExactly(tuple("t1", "blue", "eu-1a"), tuple("t2", "green", "eu-1b"));
  }

  @Test
  void aCanaryShowsTheShareOfRequestsItActuallyServedInItsLatestCountedInterval() {
    String id = fixture.recorded("dep-0000000005", null);
    assertThat(views.view(id).actualWeight()).as("before any analysis").isNull();

    Instant at = Instant.parse("2026-12-05T10:00:00Z");
    fixture.ledger.recordAnalysis(
        id,
        List.of(
            new AnalysisPoint(
                "8",
                AnalysisPoint.CANARY,
                0,
                at,
                "errors",
                "rate",
                0.0,
                0.0,
                1.0,
                0.005,
                Verdict.PASS,
                "ok",
                240L,
                760L),
            new AnalysisPoint(
                "8",
                AnalysisPoint.CANARY,
                0,
                at,
                "latency",
                "median",
                12.0,
                11.0,
                1.0,
                0.005,
                Verdict.PASS,
                "ok")));

    DeploymentView.ActualWeight actual = views.view(id).actualWeight();
    assertThat(actual.percent()).isEqualTo(24.0);
    assertThat(actual.at()).isEqualTo(at);
    assertThat(actual.canaryRequests()).isEqualTo(240);
    assertThat(actual.baselineRequests()).isEqualTo(760);
    assertThat(views.list("shop", null, 10))
        .as("lists do not read analysis")
        .allSatisfy(v -> assertThat(v.actualWeight()).isNull());
  }
}
