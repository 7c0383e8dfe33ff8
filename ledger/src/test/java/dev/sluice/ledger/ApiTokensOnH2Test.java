package dev.sluice.ledger;

import javax.sql.DataSource;
import org.junit.jupiter.api.extension.RegisterExtension;

class ApiTokensOnH2Test extends ApiTokensContract {

  @RegisterExtension final H2Databases databases = new H2Databases();

  @Override
  protected DataSource emptyDatabase() {
    return databases.newDatabase();
  }
}
