package dev.sluice.activities.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.model.MigrationOperation;
import dev.sluice.model.MigrationSpec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A schema migration pointed at a database that is not PostgreSQL (H2 here) is refused by its
 * check, and the rollback that follows a failed check ends at once instead of retrying PostgreSQL
 * catalog queries forever.
 */
class MigratorOnOtherDatabasesTest {

  Connection h2;

  @BeforeEach
  void open() throws Exception {
    h2 = DriverManager.getConnection("jdbc:h2:mem:migrator-" + System.nanoTime(), "sa", "");
    try (Statement s = h2.createStatement()) {
      s.execute("CREATE TABLE users (id BIGINT PRIMARY KEY, phone VARCHAR(40) NOT NULL)");
    }
  }

  @AfterEach
  void close() throws Exception {
    h2.close();
  }

  MigrationSpec rename() {
    return new MigrationSpec(
        "phone_rename",
        "app",
        List.of(MigrationOperation.renameColumn("users", "phone", "phone_number")),
        null,
        null);
  }

  @Test
  void theCheckRefusesADatabaseThatIsNotPostgres() {
    Migrator migrator = new Migrator(h2, rename(), (key, rows) -> {});

    assertThatThrownBy(() -> migrator.check(new ArrayList<>()))
        .isInstanceOf(UnsupportedByDatabaseException.class)
        .hasMessageContaining("H2")
        .hasMessageContaining("PostgreSQL");
  }

  @Test
  void theRollbackAfterThatRefusalEndsWithoutTouchingTheDatabase() throws Exception {
    new Migrator(h2, rename(), (key, rows) -> {}).rollback();

    try (Statement s = h2.createStatement();
        ResultSet columns =
            s.executeQuery(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'PUBLIC'"
                    + " AND table_name = 'USERS'"
                    + " ORDER BY ordinal_position")) {
      List<String> names = new ArrayList<>();
      while (columns.next()) {
        names.add(columns.getString(1));
      }
      assertThat(names).containsExactly("ID", "PHONE");
    }
  }
}
