package dev.sluice.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/** The schema ({@link LedgerSchema}): the migrations on an empty database. */
abstract class LedgerSchemaContract extends LedgerContract {

  @Test
  void migrationsApplyOnAnEmptyDatabaseOnce() throws Exception {
    DataSource empty = emptyDatabase();

    assertThat(Ledger.migrate(empty)).as("every migration applied").isEqualTo(11);
    assertThat(Ledger.migrate(empty)).isZero();

    Jdbi jdbi = Jdbi.create(empty);
    for (String table :
        List.of(
            "services",
            "deployments",
            "deployment_events",
            "service_locks",
            "version_history",
            "target_versions",
            "audit",
            "notifications",
            "analysis_points",
            "api_tokens",
            "circuit_resets",
            "flags",
            "flag_versions")) {
      long rows =
          jdbi.withHandle(
              h -> h.createQuery("SELECT COUNT(*) FROM " + table).mapTo(Long.class).one());
      assertThat(rows).as(table).isZero();
    }
    List<Long> revisions =
        jdbi.withHandle(
            h -> h.createQuery("SELECT revision FROM flag_revision").mapTo(Long.class).list());
    assertThat(revisions).as("one revision counter, at 0").containsExactly(0L);
  }
}
