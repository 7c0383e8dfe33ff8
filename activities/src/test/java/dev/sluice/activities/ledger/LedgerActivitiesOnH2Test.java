package dev.sluice.activities.ledger;

import dev.sluice.ledger.H2Databases;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.RegisterExtension;

class LedgerActivitiesOnH2Test extends LedgerActivitiesContract {

  @RegisterExtension final H2Databases databases = new H2Databases();

  @Override
  protected DataSource emptyDatabase() {
    return databases.newDatabase();
  }
}
