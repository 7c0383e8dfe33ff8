package dev.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Where schemathesis' hooks ({@code bench/src/main/python/sluice_fuzz_hooks.py}) report each call:
 * {@code POST /before} just before it is sent, {@code POST /after} with its status once answered.
 * Counts requests and server errors; while a phase compares state, snapshots the ledger and
 * Temporal around each call and records what a rejected one (4xx) changed. Reports are handled one
 * at a time, in order. The snapshot after a rejected call is the next call's "before": nothing else
 * writes while the phase runs (the seeded canary waits at a pause).
 */
final class FuzzObserver implements AutoCloseable {

  /** A rejected request that changed state, or a server error: what was sent and what happened. */
  record Finding(String phase, String request, int status, String detail) {}

  private final HttpServer server;
  private final ExecutorService executor = Executors.newSingleThreadExecutor();
  private final StateSnapshot.Reader state;
  private final ObjectMapper json = new ObjectMapper();
  private String phase = "";
  private boolean checkState;
  private StateSnapshot before;
  private StateSnapshot baseline;
  private int snapshots;
  private long snapshotNanos;
  private int requests;
  private int rejected;
  private int checked;
  private final Map<Integer, Integer> statuses = new TreeMap<>();
  private final List<Finding> serverErrors = new ArrayList<>();
  private final List<Finding> stateChanges = new ArrayList<>();

  FuzzObserver(StateSnapshot.Reader state) throws IOException {
    this.state = state;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/before", this::before);
    server.createContext("/after", this::after);
    server.setExecutor(executor);
    server.start();
  }

  String address() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  /** Names the phase the next reports belong to, and whether to compare state around each call. */
  synchronized void phase(String name, boolean compareState) {
    phase = name;
    checkState = compareState;
    before = null;
    baseline = null;
  }

  synchronized int requests() {
    return requests;
  }

  synchronized int rejected() {
    return rejected;
  }

  /** Rejected requests whose state was compared before and after. */
  synchronized int checked() {
    return checked;
  }

  synchronized Map<Integer, Integer> statuses() {
    return new TreeMap<>(statuses);
  }

  synchronized List<Finding> serverErrors() {
    return List.copyOf(serverErrors);
  }

  synchronized List<Finding> stateChanges() {
    return List.copyOf(stateChanges);
  }

  private void before(HttpExchange exchange) throws IOException {
    try (exchange) {
      try {
        read(exchange);
        synchronized (this) {
          before = !checkState ? null : baseline != null ? baseline : snapshot();
        }
        exchange.sendResponseHeaders(204, -1);
      } catch (Exception e) {
        fail(exchange, e);
      }
    }
  }

  private void after(HttpExchange exchange) throws IOException {
    try (exchange) {
      try {
        record(read(exchange));
        exchange.sendResponseHeaders(204, -1);
      } catch (Exception e) {
        fail(exchange, e);
      }
    }
  }

  private synchronized void record(JsonNode call) throws SQLException {
    int status = call.path("status").asInt();
    String request = call.path("method").asText() + " " + call.path("path").asText();
    requests++;
    statuses.merge(status, 1, Integer::sum);
    if (status >= 500) {
      serverErrors.add(new Finding(phase, request, status, call.path("response").asText("")));
      System.err.println("  5xx: " + request + " → " + status + " " + call.path("response"));
    }
    StateSnapshot after = null;
    if (status >= 400 && status < 500 && before != null) {
      rejected++;
      checked++;
      after = snapshot();
      List<String> changed = before.differences(after);
      if (!changed.isEmpty()) {
        stateChanges.add(new Finding(phase, request, status, String.join("; ", changed)));
        System.err.println("  rejected but changed: " + request + " → " + status + " " + changed);
      }
    } else if (status >= 400 && status < 500) {
      rejected++;
    }
    // After a rejected request the state is the one just read: the next call starts from it.
    baseline = after;
    before = null;
  }

  private StateSnapshot snapshot() throws SQLException {
    long started = System.nanoTime();
    try {
      return state.take();
    } finally {
      snapshots++;
      snapshotNanos += System.nanoTime() - started;
    }
  }

  /** Snapshots taken and their mean time in milliseconds. */
  synchronized String snapshotCost() {
    return String.format(
        Locale.ROOT,
        "%d snapshots, %.1f ms each",
        snapshots,
        snapshots == 0 ? 0 : snapshotNanos / 1e6 / snapshots);
  }

  private JsonNode read(HttpExchange exchange) throws IOException {
    try (InputStream body = exchange.getRequestBody()) {
      return json.readTree(body);
    }
  }

  private static void fail(HttpExchange exchange, Exception e) throws IOException {
    System.err.println("fuzz observer: " + e);
    exchange.sendResponseHeaders(500, -1);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
