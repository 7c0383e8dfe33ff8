package dev.sluice.activities.migrations;

import dev.sluice.activities.ConfigurationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * The databases migrations may change, by name. A migration spec names one; its URL and credentials
 * stay here, in the worker's configuration, and are read when a connection is opened — never in
 * workflow input, history or logs.
 */
public final class Datasources {

  /**
   * One database.
   *
   * @param url JDBC URL without credentials
   * @param user login
   * @param passwordEnv environment variable holding the password
   * @param passwordFile file holding the password (trailing newline ignored)
   */
  public record Datasource(String url, String user, String passwordEnv, String passwordFile) {}

  private final Map<String, Datasource> byName;
  private final UnaryOperator<String> env;

  public Datasources(Map<String, Datasource> byName) {
    this(byName, System::getenv);
  }

  Datasources(Map<String, Datasource> byName, UnaryOperator<String> env) {
    this.byName = new TreeMap<>(byName == null ? Map.of() : byName);
    this.env = env;
  }

  public boolean has(String name) {
    return byName.containsKey(name);
  }

  public Set<String> names() {
    return byName.keySet();
  }

  /** Opens a connection to {@code name}; a configuration problem names what is missing. */
  public Connection open(String name) throws SQLException {
    Datasource ds = byName.get(name);
    if (ds == null) {
      throw new ConfigurationException(
          "no datasource '" + name + "' in migrations.datasources (have " + byName.keySet() + ")");
    }
    Properties props = new Properties();
    if (ds.user() != null) {
      props.setProperty("user", ds.user());
    }
    String password = password(name, ds);
    if (password != null) {
      props.setProperty("password", password);
    }
    return DriverManager.getConnection(ds.url(), props);
  }

  private String password(String name, Datasource ds) {
    if (ds.passwordEnv() != null) {
      String value = env.apply(ds.passwordEnv());
      if (value == null) {
        throw new ConfigurationException(
            "datasource '" + name + "': environment variable " + ds.passwordEnv() + " is not set");
      }
      return value;
    }
    if (ds.passwordFile() != null) {
      try {
        return Files.readString(Path.of(ds.passwordFile())).stripTrailing();
      } catch (IOException e) {
        throw new ConfigurationException(
            "datasource '" + name + "': cannot read passwordFile " + ds.passwordFile());
      }
    }
    return null;
  }
}
