package dev.sluice.api.deployments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.activities.StandardProviders;
import dev.sluice.api.common.ErrorBody.FieldError;
import dev.sluice.api.errors.ApiException;
import dev.sluice.api.services.ServiceMapper;
import dev.sluice.api.services.ServiceSpec.AutoRollbackBody;
import dev.sluice.api.services.ServiceSpec.RollingSpec;
import dev.sluice.model.RollingOptions;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What {@link DeploymentStarts} decides before Temporal: checks, defaults, fingerprints. */
class DeploymentStartsTest {

  final LedgerFixture fixture = new LedgerFixture();
  final DeploymentStarts starts =
      new DeploymentStarts(
          fixture.ledger,
          null, // nothing here reaches Temporal
          "sluice",
          false,
          Clock.systemUTC(),
          new ServiceMapper(StandardProviders.registry()));

  @AfterEach
  void close() {
    fixture.close();
  }

  @Test
  void everyProblemOfTheRequestIsNamedAtOnce() {
    assertThatThrownBy(
            () -> starts.prepare(new DeploymentCreate(" ", "1.0 beta", null, null), "a key", "ci"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(422);
              assertThat(e.body().errors())
                  .extracting(FieldError::field)
                  .containsExactly("service", "version", "Idempotency-Key");
            });
  }

  @Test
  void anUnknownServiceIsNamed() {
    assertThatThrownBy(
            () -> starts.prepare(new DeploymentCreate("ghost", "1.0", null, null), null, "ci"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(422);
              assertThat(e.body().field()).isEqualTo("service");
              assertThat(e.body().message()).contains("unknown service \"ghost\"; PUT it first");
            });
  }

  @Test
  void aRequestTakesItsServicesDefaults() {
    Deployments.Prepared prepared =
        starts.prepare(new DeploymentCreate("shop", "2.0.0", null, null), null, "ci");

    assertThat(prepared.request().strategy()).isEqualTo("rolling");
    assertThat(prepared.request().rolling()).isEqualTo(RollingOptions.DEFAULT);
    assertThat(prepared.request().requestedBy()).isEqualTo("ci");
    assertThat(prepared.request().deploymentId()).startsWith("dep-");
    assertThat(prepared.previousVersion()).isNull();
  }

  @Test
  void rollingByZoneOverAFleetWithoutZonesIsRefusedNamingTheOverride() {
    RollingSpec byZone = new RollingSpec(null, null, null, null, null, true, "10m", 1);

    assertThatThrownBy(
            () -> starts.prepare(new DeploymentCreate("shop", "2.0.0", null, byZone), null, "ci"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(422);
              assertThat(e.body().field()).isEqualTo("overrides.byZone");
              assertThat(e.body().message()).endsWith("rolling by zone: target t1 has no zone");
            });
    assertThat(
            DeploymentStarts.fingerprint(
                new DeploymentCreate("shop", "2.0.0", null, byZone), "rolling"))
        .isNotEqualTo(
            DeploymentStarts.fingerprint(
                new DeploymentCreate(
                    "shop", "2.0.0", null, new RollingSpec(null, null, null, null, null)),
                "rolling"));
  }

  @Test
  void theSameRequestHasTheSameFingerprintAndAutoRollbackCountsOnlyWhenGiven() {
    DeploymentCreate plain = new DeploymentCreate("shop", "2.0.0", null, null);
    DeploymentCreate watched =
        new DeploymentCreate(
            "shop", "2.0.0", null, null, null, null, new AutoRollbackBody("5m", null, null, null));

    assertThat(DeploymentStarts.fingerprint(plain, "rolling"))
        .isEqualTo(
            DeploymentStarts.fingerprint(
                new DeploymentCreate("shop", "2.0.0", null, null), "rolling"))
        .isNotEqualTo(DeploymentStarts.fingerprint(plain, "canary"))
        .isNotEqualTo(DeploymentStarts.fingerprint(watched, "rolling"));
  }
}
