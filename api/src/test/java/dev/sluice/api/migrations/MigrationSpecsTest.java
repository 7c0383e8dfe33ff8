package dev.sluice.api.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.activities.migrations.Datasources;
import dev.sluice.api.errors.ApiException;
import dev.sluice.model.MigrationOperation;
import dev.sluice.model.MigrationSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A backfill's pace read from the wire: defaults, settings, and 400s naming the field. */
class MigrationSpecsTest {

  static final Datasources DATASOURCES =
      new Datasources(
          Map.of("app", new Datasources.Datasource("jdbc:postgresql://db/app", "app", null, null)));

  static MigrationBody withBackfill(BackfillBody backfill) {
    return new MigrationBody(
        "phone_rename",
        "app",
        List.of(MigrationOperation.renameColumn("users", "phone", "phone_number")),
        backfill,
        null,
        null,
        null);
  }

  static MigrationBody withPace(PaceBody pace) {
    return withBackfill(new BackfillBody(null, null, null, null, null, pace));
  }

  static String rejectedField(MigrationBody body) {
    try {
      MigrationSpecs.parse(body, DATASOURCES);
      return null;
    } catch (ApiException e) {
      assertThat(e.status()).isEqualTo(400);
      return e.body().field();
    }
  }

  @Test
  void withoutAPaceTheBackfillIsAdaptiveWithTheDefaults() {
    assertThat(MigrationSpecs.parse(withBackfill(null), DATASOURCES).backfill().pace())
        .isEqualTo(MigrationSpec.Pace.ADAPTIVE);
    assertThat(MigrationSpecs.parse(withPace(null), DATASOURCES).backfill().pace())
        .isEqualTo(MigrationSpec.Pace.ADAPTIVE);
  }

  @Test
  void thePaceSettingsReachTheSpec() {
    MigrationSpec.Pace pace =
        MigrationSpecs.parse(
                withPace(new PaceBody(null, "20ms", 50, 5000, 3.0, "SELECT 1 FROM users LIMIT 1")),
                DATASOURCES)
            .backfill()
            .pace();
    assertThat(pace)
        .isEqualTo(
            new MigrationSpec.Pace(
                false, Duration.ofMillis(20), 50, 5000, 3.0, "SELECT 1 FROM users LIMIT 1"));
    assertThat(
            MigrationSpecs.parse(
                    withPace(new PaceBody(false, null, null, null, null, null)), DATASOURCES)
                .backfill()
                .pace()
                .fixed())
        .isTrue();
  }

  @Test
  void aBadPaceSettingIsA400NamingIt() {
    assertThat(rejectedField(withPace(new PaceBody(null, "soon", null, null, null, null))))
        .isEqualTo("backfill.pace.targetBatchTime");
    assertThat(rejectedField(withPace(new PaceBody(null, "0s", null, null, null, null))))
        .isEqualTo("backfill.pace.targetBatchTime");
    assertThat(rejectedField(withPace(new PaceBody(null, null, 0, null, null, null))))
        .isEqualTo("backfill.pace.minBatchSize");
    assertThat(rejectedField(withPace(new PaceBody(null, null, 900, 800, null, null))))
        .isEqualTo("backfill.pace.maxBatchSize");
    assertThat(rejectedField(withPace(new PaceBody(null, null, null, null, 0.5, null))))
        .isEqualTo("backfill.pace.maxSlowdown");
    assertThat(rejectedField(withPace(new PaceBody(null, null, null, null, null, "SELECT 1;"))))
        .isEqualTo("backfill.pace.probeQuery");
  }

  @Test
  void theMessageSaysWhatTheFieldMustBe() {
    assertThatThrownBy(
            () ->
                MigrationSpecs.parse(
                    withPace(new PaceBody(null, null, null, null, 1.0, null)), DATASOURCES))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> assertThat(e.body().field()).isEqualTo("backfill.pace.maxSlowdown"))
        .hasMessageStartingWith("must be more than 1 and at most 100");
  }
}
