package dev.sluice.api.startup;

import java.nio.file.Path;
import java.util.StringJoiner;
import java.util.regex.Pattern;

/**
 * The one block Sluice prints when Jetty serves: where the API, admin port, Temporal UI and
 * dashboard are, which Temporal and which ledger are in use.
 *
 * @param api the API root, e.g. {@code http://127.0.0.1:8080/}
 * @param admin the admin root
 * @param temporalUi the Temporal UI, or {@code null} when the backend has none Sluice knows of
 * @param dashboard the dashboard, or {@code null} when nothing answers at the API root yet
 * @param temporal what the backend is, e.g. {@code dev server at 127.0.0.1:7233, …}
 * @param namespace the Temporal namespace
 * @param ledger where the ledger lives, without credentials (see {@link #ledger(String)})
 * @param inMemory whether Temporal's state is lost with this process (the embedded backend)
 */
public record StartupBanner(
    String api,
    String admin,
    String temporalUi,
    String dashboard,
    String temporal,
    String namespace,
    String ledger,
    boolean inMemory) {

  /** Said loudly (WARN) when the backend is embedded. */
  public static final String IN_MEMORY =
      "Temporal is in memory: running deployments are lost when this process ends"
          + " (temporal.backend: dev keeps them in a SQLite file)";

  private static final Pattern USER_INFO = Pattern.compile("//[^/@]*@");
  private static final Pattern SECRET_PARAMS =
      Pattern.compile("(?i)([;?&](user|password|sslpassword)=)[^;&]*");

  /** The block, one line per address. */
  public String text() {
    StringJoiner lines = new StringJoiner("\n", "Sluice is running\n", "");
    lines.add("  API          " + api);
    lines.add("  admin        " + admin);
    lines.add(
        "  dashboard    "
            + (dashboard == null ? "not yet (nothing served at the API root)" : dashboard));
    lines.add("  Temporal UI  " + (temporalUi == null ? "none" : temporalUi));
    lines.add("  Temporal     " + temporal + ", namespace " + namespace);
    lines.add("  ledger       " + ledger);
    return lines.toString();
  }

  /**
   * The ledger for people: an H2 file as its absolute path ({@code .mv.db} added), any other JDBC
   * URL without user, password or user info.
   */
  public static String ledger(String jdbcUrl) {
    String prefix = "jdbc:h2:file:";
    if (jdbcUrl.startsWith(prefix)) {
      String file = jdbcUrl.substring(prefix.length()).split(";", 2)[0];
      return "H2 file " + Path.of(file + ".mv.db").toAbsolutePath().normalize();
    }
    return SECRET_PARAMS.matcher(USER_INFO.matcher(jdbcUrl).replaceFirst("//")).replaceAll("$1***");
  }
}
