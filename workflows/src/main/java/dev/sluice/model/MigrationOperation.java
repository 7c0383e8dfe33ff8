package dev.sluice.model;

import java.util.List;

/**
 * One change in a schema migration. The fields a type uses:
 *
 * <ul>
 *   <li>{@code add_column}: table, column, type, optional up (SQL over the row's other columns
 *       computing the new one for existing rows and for writes from the old app), nullable (false:
 *       NOT NULL added at contract), defaultValue
 *   <li>{@code rename_column}: table, column, to — a new column kept equal to the old one in both
 *       directions until contract drops the old
 *   <li>{@code change_type}: table, column, type, optional up (default {@code CAST(column AS
 *       type)}) and down (default a cast back); a shadow column replaces the old one at contract
 *   <li>{@code add_not_null}: table, column, up (the value for rows and writes that have NULL)
 *   <li>{@code create_index}: table, name, columns, unique — built CONCURRENTLY on PostgreSQL
 *   <li>{@code create_table}: table, tableColumns (one of them primaryKey)
 *   <li>{@code drop_column}: table, column, optional down (the value the old app's column gets when
 *       the new app inserts without it); dropped at contract
 * </ul>
 */
public record MigrationOperation(
    String type,
    String table,
    String column,
    String to,
    String dataType,
    String up,
    String down,
    Boolean nullable,
    String defaultValue,
    String name,
    List<String> columns,
    Boolean unique,
    List<ColumnDef> tableColumns) {

  public MigrationOperation {
    columns = columns == null ? null : List.copyOf(columns);
    tableColumns = tableColumns == null ? null : List.copyOf(tableColumns);
  }

  /** A column of a created table. */
  public record ColumnDef(
      String name, String type, Boolean nullable, String defaultValue, Boolean primaryKey) {}

  public static MigrationOperation renameColumn(String table, String column, String to) {
    return new MigrationOperation(
        "rename_column", table, column, to, null, null, null, null, null, null, null, null, null);
  }

  public static MigrationOperation addColumn(
      String table, String column, String type, String up, Boolean nullable) {
    return new MigrationOperation(
        "add_column", table, column, null, type, up, null, nullable, null, null, null, null, null);
  }

  public static MigrationOperation changeType(
      String table, String column, String type, String up, String down) {
    return new MigrationOperation(
        "change_type", table, column, null, type, up, down, null, null, null, null, null, null);
  }

  public static MigrationOperation addNotNull(String table, String column, String up) {
    return new MigrationOperation(
        "add_not_null", table, column, null, null, up, null, null, null, null, null, null, null);
  }

  public static MigrationOperation createIndex(
      String table, String name, List<String> columns, boolean unique) {
    return new MigrationOperation(
        "create_index",
        table,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        name,
        columns,
        unique,
        null);
  }

  public static MigrationOperation createTable(String table, List<ColumnDef> columns) {
    return new MigrationOperation(
        "create_table", table, null, null, null, null, null, null, null, null, null, null, columns);
  }

  public static MigrationOperation dropColumn(String table, String column, String down) {
    return new MigrationOperation(
        "drop_column", table, column, null, null, null, down, null, null, null, null, null, null);
  }
}
