package dev.sluice.activities.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.model.MigrationOperation;
import dev.sluice.model.MigrationOperation.ColumnDef;
import dev.sluice.model.MigrationSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A rollback before contract, for each type of operation, on a real PostgreSQL (embedded): after
 * expand (and the backfills), rollback leaves the schema exactly as it was before expand — columns,
 * types, defaults, NOT NULLs, constraints, indexes, triggers, functions and types — and a second
 * rollback (a retried activity) finds nothing to do and changes nothing.
 *
 * <p>One database for the class: each test starts from the same {@code users} table, made again.
 */
class MigratorRollbackTest {

  @RegisterExtension static final MigrationDatabases postgres = new MigrationDatabases();
  static final Migrator.Progress QUIET = (k, r) -> {};
  static AppDatabase db;

  @BeforeAll
  static void database() throws Exception {
    db = postgres.newDatabase();
  }

  /**
   * The old schema, with an index, a CHECK constraint and a trigger of the application's own that a
   * rollback must leave alone.
   */
  @BeforeEach
  void oldSchema() throws Exception {
    db.sql(
        "DROP TABLE IF EXISTS users, audit_log CASCADE",
        "DROP FUNCTION IF EXISTS touch() CASCADE",
        "CREATE TABLE users (id bigserial PRIMARY KEY, name text NOT NULL, phone text NOT NULL,"
            + " age text CHECK (age <> ''), country text, touched boolean DEFAULT false)",
        "CREATE INDEX users_phone_idx ON users (phone)",
        "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            + " NEW.touched := true; RETURN NEW; END $$",
        "CREATE TRIGGER touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch()",
        "INSERT INTO users (name, phone, age, country) SELECT 'user ' || g, '+1-555-' || g,"
            + " (g % 90)::text, CASE WHEN g % 2 = 0 THEN 'NZ' END FROM generate_series(1, 300) g");
  }

  @Test
  void addColumnWithUpRollsBackToTheSchemaAsItWas() throws Exception {
    MigrationSpec spec =
        spec(
            "add_display",
            MigrationOperation.addColumn(
                "users", "display", "text", "name || ' <' || phone || '>'", false));

    List<String> added = expandBackfillRollBackTwice(spec);

    assertThat(added)
        .contains(
            "column users.display text",
            "function sluice_add_display_1_up(users)",
            "function sluice_add_display_1_sync()")
        .anyMatch(s -> s.startsWith("trigger CREATE TRIGGER sluice_add_display_1 "));
  }

  @Test
  void renameColumnRollsBackToTheSchemaAsItWas() throws Exception {
    MigrationSpec spec =
        spec("rename_phone", MigrationOperation.renameColumn("users", "phone", "phone_number"));

    List<String> added = expandBackfillRollBackTwice(spec);

    assertThat(added)
        .contains("column users.phone_number text", "function sluice_rename_phone_1_sync()");
  }

  @Test
  void changeTypeWithUpAndDownRollsBackToTheSchemaAsItWas() throws Exception {
    MigrationSpec spec =
        spec(
            "age_int",
            MigrationOperation.changeType(
                "users", "age", "integer", "CAST(age AS integer)", "CAST(age AS text)"));

    List<String> added = expandBackfillRollBackTwice(spec);

    assertThat(added)
        .contains(
            "column users._sluice_new_age integer",
            "function sluice_age_int_1_up(users)",
            "function sluice_age_int_1_down(users)",
            "function sluice_age_int_1_sync()");
  }

  @Test
  void changeTypeByCastRollsBackToTheSchemaAsItWas() throws Exception {
    MigrationSpec spec =
        spec("age_cast", MigrationOperation.changeType("users", "age", "integer", null, null));

    List<String> added = expandBackfillRollBackTwice(spec);

    assertThat(added)
        .contains("column users._sluice_new_age integer", "function sluice_age_cast_1_sync()");
  }

  @Test
  void addNotNullRollsBackToTheSchemaAsItWasKeepingTheValuesItFilledIn() throws Exception {
    MigrationSpec spec =
        spec("country", MigrationOperation.addNotNull("users", "country", "'unknown'"));

    List<String> added = expandBackfillRollBackTwice(spec);

    assertThat(added)
        .contains("function sluice_country_1_up(users)", "function sluice_country_1_sync()");
    // The backfill filled the old column itself: rollback cannot tell its values from the app's.
    assertThat(db.count("SELECT count(*) FROM users WHERE country = 'unknown'")).isEqualTo(150);
  }

  @Test
  void createIndexRollsBackToTheSchemaAsItWas() throws Exception {
    MigrationSpec spec =
        spec(
            "name_idx",
            MigrationOperation.createIndex("users", "users_name_idx", List.of("name"), true));

    List<String> added = expandBackfillRollBackTwice(spec);

    assertThat(added)
        .contains(
            "index users_name_idx CREATE UNIQUE INDEX users_name_idx ON public.users USING btree"
                + " (name)");
  }

  @Test
  void anExpandThatFailedBuildingAUniqueIndexRollsBackToTheSchemaAsItWas() throws Exception {
    // Half the rows share country 'NZ': the concurrent build fails and leaves an INVALID index.
    MigrationSpec spec =
        spec(
            "country_idx",
            MigrationOperation.addColumn("users", "display", "text", "name || '!'", null),
            MigrationOperation.createIndex("users", "users_country_idx", List.of("country"), true));
    List<String> before = schema();
    db.run(spec, QUIET, m -> m.check(new ArrayList<>()));

    assertThatThrownBy(
            () ->
                db.run(
                    spec,
                    QUIET,
                    m -> {
                      m.expand();
                      return null;
                    }))
        .hasMessageContaining("could not create unique index");
    assertThat(schema())
        .contains("function sluice_country_idx_1_up(users)")
        .anyMatch(s -> s.startsWith("index users_country_idx ") && s.endsWith(" INVALID"));

    rollBackTwiceTo(before, spec);
  }

  @Test
  void createTableRollsBackToTheSchemaAsItWas() throws Exception {
    MigrationSpec spec =
        spec(
            "audit",
            MigrationOperation.createTable(
                "audit_log",
                List.of(
                    new ColumnDef("id", "bigserial", false, null, true),
                    new ColumnDef("what", "text", false, "'?'", null))));

    List<String> added = expandBackfillRollBackTwice(spec);

    assertThat(added)
        .contains(
            "relation r audit_log",
            "relation S audit_log_id_seq",
            "column audit_log.what text NOT NULL DEFAULT '?'::text",
            "type audit_log");
  }

  @Test
  void dropColumnWithDownRollsBackToTheSchemaAsItWas() throws Exception {
    MigrationSpec spec = spec("drop_phone", MigrationOperation.dropColumn("users", "phone", "'?'"));

    List<String> added = expandBackfillRollBackTwice(spec);

    assertThat(added)
        .contains(
            "function sluice_drop_phone_1_down(users)", "function sluice_drop_phone_1_sync()");
  }

  @Test
  void aSpecOfEveryTypeRollsBackToTheSchemaAsItWas() throws Exception {
    MigrationSpec spec =
        spec(
            "every",
            MigrationOperation.renameColumn("users", "name", "full_name"),
            MigrationOperation.changeType("users", "age", "integer", null, "CAST(age AS text)"),
            MigrationOperation.addNotNull("users", "country", "'unknown'"),
            MigrationOperation.addColumn("users", "display", "text", "name || '!'", false),
            MigrationOperation.createTable(
                "audit_log",
                List.of(
                    new ColumnDef("id", "bigserial", false, null, true),
                    new ColumnDef("what", "text", null, null, null))),
            MigrationOperation.createIndex(
                "audit_log", "audit_log_what_idx", List.of("what"), false),
            MigrationOperation.dropColumn("users", "phone", "'?'"));

    List<String> added = expandBackfillRollBackTwice(spec);

    assertThat(added)
        .contains(
            "column users.full_name text",
            "column users._sluice_new_age integer",
            "column users.display text",
            "relation r audit_log",
            "relation i audit_log_what_idx",
            "function sluice_every_7_down(users)");
  }

  // --- helpers ---------------------------------------------------------------------------------

  static MigrationSpec spec(String name, MigrationOperation... operations) {
    return new MigrationSpec(name, db.name(), List.of(operations), null, null);
  }

  /**
   * Checks, expands and backfills {@code spec}, then rolls it back twice ({@link #rollBackTwiceTo})
   * to the schema it had before expand.
   *
   * @return what expand added to the schema (lines of {@link #schema()})
   */
  List<String> expandBackfillRollBackTwice(MigrationSpec spec) throws Exception {
    List<String> before = schema();
    List<Integer> backfills = db.run(spec, QUIET, m -> m.check(new ArrayList<>()));
    db.run(
        spec,
        QUIET,
        m -> {
          m.expand();
          return null;
        });
    for (int i : backfills) {
      db.run(spec, QUIET, m -> m.backfill(i));
    }
    List<String> added = new ArrayList<>(schema());
    added.removeAll(before);
    rollBackTwiceTo(before, spec);
    return added;
  }

  /**
   * Rolls {@code spec} back twice, asserting after each rollback that the schema is {@code before};
   * then that no backfill position of the migration is left and that the old app writes as before.
   */
  void rollBackTwiceTo(List<String> before, MigrationSpec spec) throws Exception {
    for (String attempt : List.of("rollback", "rollback again")) {
      db.run(
          spec,
          QUIET,
          m -> {
            m.rollback();
            return null;
          });
      assertThat(schema()).as("schema after %s", attempt).containsExactlyElementsOf(before);
    }
    assertThat(
            db.count(
                "SELECT count(*) FROM "
                    + KeysetBackfill.PROGRESS_TABLE
                    + " WHERE migration = '"
                    + spec.name()
                    + "'"))
        .as("backfill positions forgotten")
        .isZero();
    db.sql(
        "INSERT INTO users (name, phone) VALUES ('old app', '1')",
        "UPDATE users SET phone = '2' WHERE name = 'old app'");
    assertThat(db.count("SELECT count(*) FROM users WHERE name = 'old app' AND phone = '2'"))
        .as("the old app writes as before")
        .isEqualTo(1);
  }

  /**
   * The schema {@code public} line by line: relations (tables, indexes, sequences), columns with
   * type, NOT NULL and default, constraints, indexes with definition and validity, triggers,
   * functions and types. The backfill's progress table is left out: every migration of the database
   * shares it, so it stays after a rollback (which forgets only its own rows).
   */
  static List<String> schema() throws Exception {
    String progress = "'" + KeysetBackfill.PROGRESS_TABLE + "'";
    List<String> lines = new ArrayList<>();
    lines.addAll(
        db.strings(
            "SELECT 'relation ' || c.relkind::text || ' ' || c.relname FROM pg_class c"
                + " WHERE c.relnamespace = 'public'::regnamespace"
                + " AND c.relname NOT IN ("
                + progress
                + ", "
                + progress
                + " || '_pkey') ORDER BY 1"));
    lines.addAll(
        db.strings(
            "SELECT 'column ' || c.relname || '.' || a.attname || ' '"
                + " || format_type(a.atttypid, a.atttypmod)"
                + " || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END"
                + " || coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')"
                + " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
                + " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
                + " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'"
                + " AND c.relname <> "
                + progress
                + " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY c.relname, a.attnum"));
    lines.addAll(
        db.strings(
            "SELECT 'constraint ' || c.relname || ' ' || k.conname || ' '"
                + " || pg_get_constraintdef(k.oid)"
                + " || CASE WHEN k.convalidated THEN '' ELSE ' NOT VALID' END"
                + " FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid"
                + " WHERE c.relnamespace = 'public'::regnamespace AND c.relname <> "
                + progress
                + " ORDER BY 1"));
    lines.addAll(
        db.strings(
            "SELECT 'index ' || x.relname || ' ' || pg_get_indexdef(i.indexrelid)"
                + " || CASE WHEN i.indisvalid THEN '' ELSE ' INVALID' END"
                + " FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid"
                + " JOIN pg_class c ON c.oid = i.indrelid"
                + " WHERE c.relnamespace = 'public'::regnamespace AND c.relname <> "
                + progress
                + " ORDER BY 1"));
    lines.addAll(
        db.strings(
            "SELECT 'trigger ' || pg_get_triggerdef(t.oid) FROM pg_trigger t"
                + " JOIN pg_class c ON c.oid = t.tgrelid"
                + " WHERE c.relnamespace = 'public'::regnamespace AND NOT t.tgisinternal"
                + " ORDER BY 1"));
    lines.addAll(
        db.strings(
            "SELECT 'function ' || p.oid::regprocedure::text FROM pg_proc p"
                + " WHERE p.pronamespace = 'public'::regnamespace ORDER BY 1"));
    lines.addAll(
        db.strings(
            "SELECT 'type ' || t.typname FROM pg_type t"
                + " WHERE t.typnamespace = 'public'::regnamespace"
                + " AND t.typname NOT IN ("
                + progress
                + ", '_' || "
                + progress
                + ") ORDER BY 1"));
    return lines;
  }
}
