package dev.sluice.activities.flags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.ledger.FlagStore;
import dev.sluice.ledger.FlagStore.Meta;
import dev.sluice.ledger.Ledger;
import dev.sluice.workflows.activities.FlagActivities.RolloutCall;
import io.temporal.failure.ApplicationFailure;
import java.time.Clock;
import org.assertj.core.api.Assertions;
import org.h2.jdbcx.JdbcConnectionPool;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A rollout's flag changes, on a real ledger database (H2 in memory). */
class FlagActivitiesImplTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String DEFINITION =
      "{\"state\":\"DISABLED\",\"variants\":{\"on\":true,\"off\":false},\"defaultVariant\":\"off\","
          + "\"targeting\":{\"if\":[{\"in\":[{\"var\":\"email\"},[\"ops@example.com\"]]},\"on\"]}}";

  JdbcConnectionPool pool;
  FlagStore store;
  FlagActivitiesImpl activities;

  @BeforeEach
  void ledger() {
    pool = JdbcConnectionPool.create("jdbc:h2:mem:flag-activities-" + System.nanoTime(), "sa", "");
    Ledger.migrate(pool);
    store = new FlagStore(Jdbi.create(pool), JSON, Clock.systemUTC());
    store.create("new-checkout", DEFINITION, new Meta("release", "web", null), "alice", null);
    activities = new FlagActivitiesImpl(store);
  }

  @AfterEach
  void close() {
    pool.dispose();
  }

  JsonNode current() throws Exception {
    return JSON.readTree(store.get("new-checkout").orElseThrow().definition());
  }

  @Test
  void aStageEnablesTheFlagAndSetsTheSplitKeepingItsRulesAsANewVersion() throws Exception {
    var change =
        activities.setRollout(
            new RolloutCall("new-checkout", "on", 25, true, "rollout:r1 (alice)", "stage 3/5"));

    JsonNode flag = current();
    assertThat(change.version()).isEqualTo(2);
    assertThat(flag.path("state").asText()).isEqualTo("ENABLED");
    assertThat(flag.path("targeting").path("if").get(0).has("in")).as("the rule stays").isTrue();
    assertThat(flag.path("targeting").path("if").get(2).path("fractional").toString())
        .isEqualTo("[[\"on\",25],[\"off\",75]]");
    var version = store.versions("new-checkout").get(0);
    assertThat(version.action()).isEqualTo("rollout");
    assertThat(version.actor()).isEqualTo("rollout:r1 (alice)");
    assertThat(version.reason()).isEqualTo("stage 3/5");

    activities.setRollout(
        new RolloutCall("new-checkout", "on", 100, true, "rollout:r1 (alice)", "stage 5/5"));
    assertThat(current().path("targeting").path("if").get(2).path("fractional").toString())
        .isEqualTo("[[\"on\",100],[\"off\",0]]");
  }

  @Test
  void aLaterStageLeavesADisabledFlagAlone() throws Exception {
    activities.setRollout(new RolloutCall("new-checkout", "on", 10, true, "r", "stage 1"));
    store.update(
        "new-checkout",
        null,
        current().toString().replace("\"ENABLED\"", "\"DISABLED\""),
        null,
        "disable",
        "bob",
        "kill switch");

    assertThatThrownBy(
            () ->
                activities.setRollout(
                    new RolloutCall("new-checkout", "on", 25, false, "r", "stage 2")))
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            f -> {
              assertThat(f.getType()).isEqualTo("FlagDisabled");
              assertThat(f.isNonRetryable()).isTrue();
            });
    assertThat(current().path("state").asText()).isEqualTo("DISABLED");
  }

  @Test
  void theKillSwitchDisablesAndAMissingFlagIsNotRetried() throws Exception {
    activities.setRollout(new RolloutCall("new-checkout", "on", 10, true, "r", null));
    activities.disable(new RolloutCall("new-checkout", "on", 0, true, "r", "gate failed"));

    assertThat(current().path("state").asText()).isEqualTo("DISABLED");
    assertThatThrownBy(
            () -> activities.setRollout(new RolloutCall("gone", "on", 5, true, "r", null)))
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            f -> {
              assertThat(f.isNonRetryable()).isTrue();
              assertThat(f.getType()).isEqualTo("FlagNotFound");
            });
    assertThatThrownBy(
            () ->
                activities.setRollout(new RolloutCall("new-checkout", "maybe", 5, true, "r", null)))
        .isInstanceOfSatisfying(
            ApplicationFailure.class, f -> assertThat(f.getType()).isEqualTo("ConfigurationError"));
  }

  @Test
  void aPhaseFlagServesItsVariantToEveryoneAndAnUnknownVariantIsRefused() throws Exception {
    activities.setVariant(
        new RolloutCall("new-checkout", "on", 100, true, "dual-write:m (a)", "p"));

    JsonNode flag = current();
    assertThat(flag.path("state").asText()).isEqualTo("ENABLED");
    assertThat(flag.path("defaultVariant").asText()).isEqualTo("on");
    assertThat(flag.has("targeting")).as("everyone, no rules").isFalse();
    assertThat(store.versions("new-checkout").get(0).action()).isEqualTo("variant");
    Assertions.assertThatThrownBy(
            () ->
                activities.setVariant(
                    new RolloutCall("new-checkout", "maybe", 100, true, "x", "p")))
        .hasMessageContaining("has no variant 'maybe'");
  }
}
