package dev.sluice.api.flags;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.ledger.FlagStore;
import dev.sluice.ledger.FlagStore.Meta;
import dev.sluice.ledger.Ledger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.h2.jdbcx.JdbcConnectionPool;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The stale-flag report over a real ledger (H2 in memory) and a clock the test moves. */
class StaleFlagsTest {

  static final ObjectMapper JSON = new ObjectMapper();

  final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
  final Clock clock =
      new Clock() {
        @Override
        public ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now.get();
        }
      };
  JdbcConnectionPool pool;
  FlagService flags;

  @BeforeEach
  void ledger() {
    pool = JdbcConnectionPool.create("jdbc:h2:mem:stale-" + System.nanoTime(), "sa", "");
    Ledger.migrate(pool);
    flags = new FlagService(new FlagStore(Jdbi.create(pool), JSON, clock), JSON, clock);
  }

  @AfterEach
  void close() {
    pool.dispose();
  }

  static JsonNode json(String text) throws Exception {
    return JSON.readTree(text.replace('\'', '"'));
  }

  static final String VARIANTS = "'variants': {'on': true, 'off': false}, 'defaultVariant': 'off'";

  @Test
  void flagsServingOneVariantForTwoWeeksOrPastTheirLifetimeAreReported() throws Exception {
    flags.create(
        "full",
        json(
            "{'state': 'ENABLED', "
                + VARIANTS
                + ", 'targeting': {'fractional':"
                + " [['on', 100], ['off', 0]]}}"),
        new Meta("permission", null, null),
        "alice",
        null);
    flags.create(
        "static",
        json("{'state': 'ENABLED', " + VARIANTS + "}"),
        new Meta("kill-switch", null, null),
        "alice",
        null);
    flags.create(
        "split",
        json(
            "{'state': 'ENABLED', "
                + VARIANTS
                + ", 'targeting': {'fractional':"
                + " [['on', 50], ['off', 50]]}}"),
        new Meta("permission", null, null),
        "alice",
        null);
    flags.create(
        "experiment",
        json(
            "{'state': 'ENABLED', "
                + VARIANTS
                + ", 'targeting': {'fractional':"
                + " [['on', 50], ['off', 50]]}}"),
        new Meta("ops", "growth", null),
        "alice",
        null);

    now.set(now.get().plus(Duration.ofDays(13)));
    assertThat(flags.stale())
        .extracting(FlagService.Stale::key)
        .as("ops flags live 7 days; nothing has served one variant for 14 days yet")
        .containsExactly("experiment");

    now.set(now.get().plus(Duration.ofDays(1)));
    var stale = flags.stale();

    assertThat(stale)
        .extracting(FlagService.Stale::key)
        .containsExactly("experiment", "full", "static");
    assertThat(stale.get(1).serving()).isEqualTo("on");
    assertThat(stale.get(1).reasons()).containsExactly("one-variant");
    assertThat(stale.get(2).serving()).isEqualTo("off");
    assertThat(stale.get(0).reasons()).containsExactly("past-lifetime");
    assertThat(stale.get(0).owner()).isEqualTo("growth");

    // A change restarts the two weeks.
    flags.setEnabled("static", false, "bob", "kill");
    assertThat(flags.stale())
        .extracting(FlagService.Stale::key)
        .containsExactly("experiment", "full");
  }
}
