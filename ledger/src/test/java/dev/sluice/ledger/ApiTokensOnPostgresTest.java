package dev.sluice.ledger;

import javax.sql.DataSource;
import org.junit.jupiter.api.extension.RegisterExtension;

class ApiTokensOnPostgresTest extends ApiTokensContract {

  @RegisterExtension static final PostgresDatabases databases = new PostgresDatabases();

  @Override
  protected DataSource emptyDatabase() throws Exception {
    return databases.newDatabase();
  }
}
