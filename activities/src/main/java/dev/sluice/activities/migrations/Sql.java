package dev.sluice.activities.migrations;

import java.util.regex.Pattern;

/** Identifier rules: lower-case SQL names, so they need no quoting and mean the same everywhere. */
final class Sql {

  private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  private static final Pattern TABLE =
      Pattern.compile("([a-z_][a-z0-9_]{0,62}\\.)?[a-z_][a-z0-9_]{0,62}");

  private Sql() {}

  static boolean isName(String s) {
    return s != null && NAME.matcher(s).matches();
  }

  static boolean isTable(String s) {
    return s != null && TABLE.matcher(s).matches();
  }

  /** A SQL string literal. */
  static String literal(String s) {
    return "'" + s.replace("'", "''") + "'";
  }
}
