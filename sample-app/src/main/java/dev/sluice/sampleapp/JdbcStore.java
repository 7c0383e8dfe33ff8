package dev.sluice.sampleapp;

import dev.sluice.dualwrite.Store;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Profiles in a PostgreSQL table {@code profiles (id text PRIMARY KEY, value text)}, created when
 * missing: one of the two stores a dual-write migration moves between. A handful of connections,
 * opened on first use and reused.
 */
final class JdbcStore implements Store<String, String>, AutoCloseable {

  static final int CONNECTIONS = 4;

  private final String url;
  private final BlockingQueue<Connection> idle = new ArrayBlockingQueue<>(CONNECTIONS);
  private int opened;
  private volatile boolean closed;

  /** {@code url}: a JDBC URL with its credentials ({@code ?user=…&password=…}). */
  JdbcStore(String url) throws SQLException {
    this.url = url;
    Connection c = open();
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS profiles (id text PRIMARY KEY, value text NOT NULL)");
    }
    idle.add(c);
  }

  @Override
  public Optional<String> read(String key) throws Exception {
    Connection c = borrow();
    boolean ok = false;
    try (PreparedStatement s = c.prepareStatement("SELECT value FROM profiles WHERE id = ?")) {
      s.setString(1, key);
      try (ResultSet rs = s.executeQuery()) {
        Optional<String> value = rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        ok = true;
        return value;
      }
    } finally {
      giveBack(c, ok);
    }
  }

  @Override
  public void write(String key, String value) throws Exception {
    Connection c = borrow();
    boolean ok = false;
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO profiles (id, value) VALUES (?, ?)"
                + " ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value")) {
      s.setString(1, key);
      s.setString(2, value);
      s.executeUpdate();
      ok = true;
    } finally {
      giveBack(c, ok);
    }
  }

  private Connection borrow() throws SQLException, InterruptedException {
    Connection c = idle.poll();
    if (c != null) {
      return c;
    }
    synchronized (this) {
      if (opened < CONNECTIONS) {
        return open();
      }
    }
    c = idle.poll(5, TimeUnit.SECONDS);
    if (c == null) {
      throw new SQLException("no connection to the profiles store free within 5 s");
    }
    return c;
  }

  private synchronized Connection open() throws SQLException {
    Connection c = DriverManager.getConnection(url);
    opened++;
    return c;
  }

  /** A connection whose statement failed is closed, not reused: it may be broken. */
  private void giveBack(Connection c, boolean ok) {
    if (ok && !closed && idle.offer(c)) {
      return;
    }
    try {
      c.close();
    } catch (SQLException ignored) {
      // closing a broken connection: nothing to do
    }
    synchronized (this) {
      opened--;
    }
  }

  @Override
  public void close() {
    closed = true; // connections in use are closed when they come back
    Connection c;
    while ((c = idle.poll()) != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // shutting down
      }
    }
  }
}
