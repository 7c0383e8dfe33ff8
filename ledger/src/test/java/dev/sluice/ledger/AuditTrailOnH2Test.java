package dev.sluice.ledger;

import javax.sql.DataSource;
import org.junit.jupiter.api.extension.RegisterExtension;

class AuditTrailOnH2Test extends AuditTrailContract {

  @RegisterExtension final H2Databases databases = new H2Databases();

  @Override
  protected DataSource emptyDatabase() {
    return databases.newDatabase();
  }
}
