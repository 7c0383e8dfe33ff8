package dev.sluice.activities.ledger;

import dev.sluice.ledger.PostgresDatabases;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.RegisterExtension;

class LedgerActivitiesOnPostgresTest extends LedgerActivitiesContract {

  @RegisterExtension static final PostgresDatabases databases = new PostgresDatabases();

  @Override
  protected DataSource emptyDatabase() throws Exception {
    return databases.newDatabase();
  }
}
