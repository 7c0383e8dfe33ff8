package dev.sluice.api.deployments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.errors.ApiException;
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
}
