package dev.sluice.api.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.api.common.ErrorBody.FieldError;
import dev.sluice.api.errors.ApiException;
import dev.sluice.ledger.FlagStore;
import dev.sluice.ledger.Ledger;
import java.time.Clock;
import java.util.List;
import org.h2.jdbcx.JdbcConnectionPool;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What {@link DualWrites} refuses before it starts anything. */
class DualWritesTest {

  final JdbcConnectionPool pool =
      JdbcConnectionPool.create("jdbc:h2:mem:dual-writes-" + System.nanoTime(), "sa", "");
  final DualWrites dualWrites;

  DualWritesTest() {
    Ledger.migrate(pool);
    Jdbi jdbi = Jdbi.create(pool);
    dualWrites =
        new DualWrites(
            new FlagStore(jdbi, new ObjectMapper(), Clock.systemUTC()),
            new Ledger(jdbi),
            null, // nothing here reaches Temporal
            "sluice");
  }

  @AfterEach
  void close() {
    pool.dispose();
  }

  @Test
  void aMissingBodyIsABadRequest() {
    assertThatThrownBy(() -> dualWrites.start(null, "ci"))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400));
  }

  @Test
  void everyProblemIsNamedAtOnce() {
    DualWriteBody body =
        new DualWriteBody(
            "Orders!",
            "no-such-flag",
            List.of("ftp://host/metrics", "http://user:secret@host/metrics"),
            "2d",
            1.5);

    assertThatThrownBy(() -> dualWrites.start(body, "ci"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.body().errors())
                  .extracting(FieldError::field)
                  .containsExactly(
                      "name",
                      "flagKey",
                      "metricsUrls[0]",
                      "metricsUrls[1]",
                      "window",
                      "maxMismatchRate");
            });
  }
}
