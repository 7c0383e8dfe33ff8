package dev.sluice.ledger;

import javax.sql.DataSource;
import org.junit.jupiter.api.extension.RegisterExtension;

class AnalysisPointsOnH2Test extends AnalysisPointsContract {

  @RegisterExtension final H2Databases databases = new H2Databases();

  @Override
  protected DataSource emptyDatabase() {
    return databases.newDatabase();
  }
}
