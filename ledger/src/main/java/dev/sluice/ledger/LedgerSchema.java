package dev.sluice.ledger;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/** The ledger's schema: its Flyway migrations and their history table. */
final class LedgerSchema {

  /** Where the ledger's Flyway migrations live. */
  static final String MIGRATIONS = "classpath:db/ledger";

  /**
   * Flyway's history table for the ledger. Not Flyway's default, so other schemas migrated into the
   * same database (flags, data migrations) keep their own history.
   */
  static final String SCHEMA_HISTORY_TABLE = "ledger_schema_history";

  private LedgerSchema() {}

  /** Brings the schema up to date; see {@link Ledger#migrate}. */
  static int migrate(DataSource dataSource) {
    return Flyway.configure()
        .dataSource(dataSource)
        .locations(MIGRATIONS)
        .table(SCHEMA_HISTORY_TABLE)
        // The database may already hold other tables (flags, the API's own); baselining at 0
        // lets the ledger's V1 still run there instead of Flyway refusing a non-empty schema.
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .load()
        .migrate()
        .migrationsExecuted;
  }
}
