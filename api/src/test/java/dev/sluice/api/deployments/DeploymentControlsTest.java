package dev.sluice.api.deployments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.errors.ApiException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The refusals {@link DeploymentControls} answers from the ledger, before Temporal is asked. */
class DeploymentControlsTest {

  final LedgerFixture fixture = new LedgerFixture();
  final DeploymentControls controls = new DeploymentControls(fixture.ledger, null);

  @AfterEach
  void close() {
    controls.close();
    fixture.close();
  }

  static void assertRefused(int status, String message, Runnable call) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(status);
              assertThat(e.body().message()).contains(message);
            });
  }

  @Test
  void anUnknownActionOrDeploymentIsNotFound() {
    assertRefused(
        404, "unknown action \"jump\"", () -> controls.control("dep-1", "jump", null, "ci"));
    assertRefused(404, "no deployment dep-1", () -> controls.control("dep-1", "pause", null, "ci"));
    assertRefused(404, "no deployment dep-1", () -> controls.controlOutcome("dep-1", "ctl-1"));
  }

  @Test
  void aReasonLongerThanAThousandCharactersIsRefused() {
    String id = fixture.recorded("dep-0000000001", null);

    assertRefused(
        422,
        "must be at most 1000 characters",
        () -> controls.control(id, "pause", new ControlBody("x".repeat(1001), null), "ci"));
  }

  @Test
  void aReleaseStageNotYetStartedIsSteeredThroughItsReleaseAndTheRefusalIsAudited() {
    String id = fixture.recorded("dep-0000000002", "rel-0123456789ab");

    assertRefused(
        409,
        "is a stage of release rel-0123456789ab and has not started",
        () -> controls.control(id, "abort", null, "ci"));
    assertThat(fixture.ledger.auditTrail(id, 10))
        .anySatisfy(e -> assertThat(e.action()).isEqualTo("deployment.abort"));
  }
}
