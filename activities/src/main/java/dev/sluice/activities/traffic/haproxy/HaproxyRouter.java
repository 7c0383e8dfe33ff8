package dev.sluice.activities.traffic.haproxy;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.Settings;
import dev.sluice.activities.traffic.haproxy.HaproxyRuntimeApi.ServerState;
import dev.sluice.activities.traffic.haproxy.HaproxyRuntimeApi.StatRow;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
import dev.sluice.ports.Heartbeat;
import dev.sluice.ports.TrafficRouter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@link TrafficRouter} over one HAProxy backend, driven through HAProxy's runtime API. A target's
 * {@link Target#id() id} is its {@code server} name in the backend.
 *
 * <p>Settings ({@link ProviderRef} type {@code haproxy}):
 *
 * <ul>
 *   <li>{@code socket} (required): the admin socket, a Unix socket path or {@code tcp://host:port};
 *       HAProxy must expose it with {@code level admin}.
 *   <li>{@code backend} (required): the backend holding the targets' servers.
 *   <li>{@code pollInterval} (default {@code 200ms}): how often drain and enable read {@code show
 *       stat} while they wait.
 *   <li>{@code commandTimeout} (default {@code 5s}): limit for one runtime API round trip.
 * </ul>
 *
 * <p>When a server counts as up: its {@code show stat} status starts with {@code UP} or is {@code
 * no check}. {@code UP} is a server whose checks pass; {@code UP 1/2} has failed one check but not
 * yet {@code fall} of them, and HAProxy still sends it traffic, so it counts (the health gate after
 * an enable judges the application itself). {@code no check} is a server without health checks,
 * which HAProxy always sends traffic to. Not up: {@code DOWN} and the rising {@code DOWN 1/2} (no
 * traffic until {@code rise} checks pass), {@code DRAIN} and {@code NOLB} (no new sessions), {@code
 * MAINT} in all its forms. Enable does not change the server's weight: a server at weight 0 reports
 * {@code UP} yet gets no new sessions, because weights belong to {@link #setWeight}.
 *
 * <p>Known limit: a server in {@code MAINT} has no health checks, so right after leaving it HAProxy
 * shows the health it had before, which may be {@code UP} for a server that died meanwhile. This
 * router never sets {@code MAINT} itself (drain keeps the checks running), so that only happens
 * when an operator did.
 *
 * <p>Errors: unknown backend or server and other rejected commands throw {@link
 * HaproxyCommandException} (a {@link ConfigurationException}); an unreachable socket throws the
 * retryable {@link HaproxyUnavailableException}.
 */
public final class HaproxyRouter implements TrafficRouter {

  /** The provider type this router is registered under. */
  public static final String TYPE = "haproxy";

  static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(200);

  private final HaproxyRuntimeApi api;
  private final String backend;
  private final Duration pollInterval;

  /**
   * A router over {@code backend}, reached through {@code api}.
   *
   * @throws ConfigurationException when {@code backend} is not a valid HAProxy name or {@code
   *     pollInterval} is not positive
   */
  public HaproxyRouter(HaproxyRuntimeApi api, String backend, Duration pollInterval) {
    HaproxyRuntimeApi.requireName("backend", backend);
    if (pollInterval.isNegative() || pollInterval.isZero()) {
      throw new ConfigurationException("haproxy: pollInterval must be positive");
    }
    this.api = api;
    this.backend = backend;
    this.pollInterval = pollInterval;
  }

  /**
   * Builds a router from its provider reference; see the class documentation for the settings.
   * Connects to nothing: an unreachable socket shows up on the first call, as a retryable error.
   *
   * @throws ConfigurationException when a setting is missing or malformed
   */
  public static HaproxyRouter fromRef(ProviderRef ref) {
    Settings settings = new Settings("haproxy router", ref.settings());
    HaproxyRuntimeApi api =
        HaproxyRuntimeApi.of(
            settings.requiredString("socket"),
            settings.duration("commandTimeout", HaproxyRuntimeApi.DEFAULT_TIMEOUT));
    return new HaproxyRouter(
        api,
        settings.requiredString("backend"),
        settings.duration("pollInterval", DEFAULT_POLL_INTERVAL));
  }

  /** The backend this router acts on. */
  public String backend() {
    return backend;
  }

  /**
   * Puts the server in {@code DRAIN} (no new sessions, health checks continue) and waits until its
   * current plus queued sessions reach zero, or {@code timeout} passes. Heartbeats a {@link
   * DrainProgress} on every poll. Idempotent: draining a drained server sets the same state and
   * waits again.
   *
   * @return drained with no sessions left, or not drained with the sessions still open
   * @throws HaproxyCommandException when HAProxy knows no such backend or server
   */
  @Override
  public DrainResult drain(Target target, Duration timeout, Heartbeat heartbeat) {
    String server = target.id();
    api.setState(backend, server, ServerState.DRAIN);
    long started = System.nanoTime();
    long deadline = started + Math.max(0, timeout.toNanos());
    while (true) {
      StatRow row = serverRow(server);
      long current = row.number("scur", 0);
      // Requests queued for this server (when it has a maxconn) are still served by it.
      long queued = row.number("qcur", 0);
      long now = System.nanoTime();
      long waited = Duration.ofNanos(now - started).toMillis();
      heartbeat.beat(new DrainProgress(server, current, queued, waited));
      if (current + queued == 0) {
        return new DrainResult(true, 0, waited);
      }
      if (now >= deadline) {
        return new DrainResult(false, current + queued, waited);
      }
      pause(deadline - now);
    }
  }

  /**
   * Puts the server in {@code READY} and waits until HAProxy reports it up (see the class
   * documentation for which statuses count), or {@code timeout} passes. Heartbeats an {@link
   * EnableProgress} on every poll. Idempotent; does not change the server's weight.
   *
   * @return up with HAProxy's status, or not up with the last status seen, e.g. {@code DOWN} or
   *     {@code DOWN 1/2}
   * @throws HaproxyCommandException when HAProxy knows no such backend or server
   */
  @Override
  public EnableResult enable(Target target, Duration timeout, Heartbeat heartbeat) {
    String server = target.id();
    api.setState(backend, server, ServerState.READY);
    long started = System.nanoTime();
    long deadline = started + Math.max(0, timeout.toNanos());
    while (true) {
      String status = serverRow(server).text("status");
      long now = System.nanoTime();
      heartbeat.beat(
          new EnableProgress(server, status, Duration.ofNanos(now - started).toMillis()));
      if (takesTraffic(status)) {
        return new EnableResult(true, status);
      }
      if (now >= deadline) {
        return new EnableResult(false, status);
      }
      pause(deadline - now);
    }
  }

  /**
   * Sets the server's absolute weight (0 to 256; 0 takes it out of load balancing while it keeps
   * its sessions and health checks). Idempotent.
   *
   * @throws HaproxyCommandException for an unknown backend or server, or a weight out of range
   */
  @Override
  public void setWeight(Target target, int weight) {
    api.setWeight(backend, target.id(), weight);
  }

  /**
   * One {@code show stat} of the backend, in the order of {@code targets}; a target the backend has
   * no server for is left out. {@code weight} is the weight set by configuration or {@link
   * #setWeight} (HAProxy's {@code uweight}); {@code responsesTotal} sums {@code hrsp_1xx} to {@code
   * hrsp_other}; {@code avgResponseTimeMs} is HAProxy's {@code rtime} (average over the last 1024
   * responses), or -1 before the server has answered anything.
   *
   * @throws HaproxyCommandException when HAProxy knows no such backend
   */
  @Override
  public List<ServerStats> stats(List<Target> targets) {
    Map<String, StatRow> rows =
        api.showServerStats(backend).stream()
            .collect(Collectors.toMap(StatRow::name, Function.identity(), (a, b) -> a));
    List<ServerStats> stats = new ArrayList<>(targets.size());
    for (Target target : targets) {
      StatRow row = rows.get(target.id());
      if (row != null) {
        stats.add(toStats(target.id(), row));
      }
    }
    return stats;
  }

  /** Whether HAProxy sends new traffic to a server with this {@code show stat} status. */
  static boolean takesTraffic(String status) {
    return status.startsWith("UP") || status.equals("no check");
  }

  private static ServerStats toStats(String targetId, StatRow row) {
    long responses = 0;
    for (String column :
        List.of("hrsp_1xx", "hrsp_2xx", "hrsp_3xx", "hrsp_4xx", "hrsp_5xx", "hrsp_other")) {
      responses += row.number(column, 0);
    }
    // rtime reads 0 until a response arrives; -1 says "no data" instead of "instant".
    long rtime = responses == 0 ? -1 : row.number("rtime", -1);
    // uweight (HAProxy 2.5+) is the weight as set; fall back to the effective weight.
    long weight = row.number("uweight", row.number("weight", 0));
    return new ServerStats(
        targetId,
        row.text("status"),
        (int) weight,
        row.number("scur", 0),
        row.number("stot", 0),
        row.number("hrsp_5xx", 0),
        responses,
        rtime);
  }

  private StatRow serverRow(String server) {
    return api.showServerStats(backend).stream()
        .filter(row -> row.name().equals(server))
        .findFirst()
        .orElseThrow(
            () ->
                new ConfigurationException(
                    "haproxy: backend '" + backend + "' has no server '" + server + "'"));
  }

  private void pause(long remainingNanos) {
    try {
      Thread.sleep(Math.max(1, Math.min(pollInterval.toMillis(), remainingNanos / 1_000_000)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      CancellationException cancelled =
          new CancellationException("interrupted while waiting on HAProxy backend " + backend);
      cancelled.initCause(e);
      throw cancelled;
    }
  }

  /** Heartbeat details of a drain: sessions still open on the server and time waited so far. */
  public record DrainProgress(
      String server, long currentSessions, long queued, long waitedMillis) {}

  /** Heartbeat details of an enable: HAProxy's latest status of the server. */
  public record EnableProgress(String server, String status, long waitedMillis) {}
}
