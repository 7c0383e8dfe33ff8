package dev.sluice.activities.traffic.haproxy;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.Settings;
import dev.sluice.activities.traffic.haproxy.HaproxyRuntimeApi.ServerState;
import dev.sluice.activities.traffic.haproxy.HaproxyRuntimeApi.StatRow;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
import dev.sluice.ports.Heartbeat;
import dev.sluice.ports.TrafficRouter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link TrafficRouter} over HAProxy, driven through HAProxy's runtime API. A target's {@link
 * Target#id() id} is its {@code server} name in the backend of its pool, or in the one backend of a
 * fleet without pools.
 *
 * <p>Settings ({@link ProviderRef} type {@code haproxy}):
 *
 * <ul>
 *   <li>{@code socket} (required): the admin socket, a Unix socket path or {@code tcp://host:port};
 *       HAProxy must expose it with {@code level admin}.
 *   <li>{@code backend}: the backend holding the targets' servers; required unless {@code backends}
 *       is set, and then used for targets without a pool.
 *   <li>{@code backends} (optional): an object from pool name to backend name, e.g. {@code {"blue":
 *       "app_blue", "green": "app_green"}}, for a fleet split into pools ({@link Target#pool()}).
 *       Every per-target operation then acts on the backend of the target's pool.
 *   <li>{@code poolMap} (required with {@code backends}): the HAProxy map file that picks the live
 *       pool's backend, exactly as the config names it in {@code use_backend
 *       %[str(<mapKey>),map(<poolMap>,<default backend>)]}.
 *   <li>{@code mapKey} (default {@code active}): the map entry whose value is the live backend.
 *   <li>{@code pollInterval} (default {@code 200ms}): how often drain and enable read {@code show
 *       stat} while they wait.
 *   <li>{@code commandTimeout} (default {@code 5s}): limit for one runtime API round trip.
 *   <li>{@code stickySessions} (default {@code false}): read only by {@link HaproxyConfig}, which
 *       then renders a persistence cookie naming the server; the router itself works the same.
 * </ul>
 *
 * <p>What HAProxy's config must hold for this router, and a renderer of it: {@link HaproxyConfig}.
 *
 * <p>When a server counts as up: its {@code show stat} status starts with {@code UP} or is {@code
 * no check}. {@code UP} is a server whose checks pass; {@code UP 1/2} has failed one check but not
 * yet {@code fall} of them, and HAProxy still sends it traffic, so it counts (the health gate after
 * an enable judges the application itself). {@code no check} is a server without health checks,
 * which HAProxy always sends traffic to. Not up: {@code DOWN} and the rising {@code DOWN 1/2} (no
 * traffic until {@code rise} checks pass), {@code DRAIN} and {@code NOLB} (no new sessions), {@code
 * MAINT} in all its forms. Enable does not change the server's weight: a server at weight 0 reports
 * {@code UP} yet gets no new sessions, because weights belong to {@link #setWeight} and {@link
 * #split}.
 *
 * <p>Pools (blue-green): {@link #switchPool} changes the map entry with one {@code set map}
 * command, which HAProxy applies to every request it routes afterwards; requests already routed
 * finish on the old pool. {@link #activePool} reads the entry back.
 *
 * <p>Weights (canary): {@link #split} gives every canary server one weight and every stable server
 * another, so that the canary group's share of the summed weight is the requested percentage.
 * HAProxy's weights are whole numbers from 0 to 256, so the pair is the one from 1 to 256 whose
 * share is nearest to the percentage: exact whenever the reduced ratio fits (1 canary and 3 stable
 * at 5% get 3 and 19: 3 / (3 + 3 × 19) = 5%), otherwise off by the least possible, the smaller
 * weights winning a tie. At 0% the canary servers get weight 0 and are put in {@code MAINT}: a
 * weight-0 or {@code DRAIN} server still takes requests carrying its persistence cookie, a server
 * in {@code MAINT} does not, so HAProxy balances those requests onto the stable servers. At 100%
 * the same holds for the stable servers. The shares hold among servers that are up.
 *
 * <p>Known limit: a server in {@code MAINT} has no health checks, and on leaving it HAProxy counts
 * it as up at once and checks it right away (HAProxy 2.6 resets its health to the lowest up value,
 * shown as {@code UP 1/2} until a check passes), so a server that died meanwhile takes traffic
 * until that first check fails. This router sets {@code MAINT} only in {@link #split} at 0% or 100%
 * (drain keeps the checks running), and takes a server out of it again when a later split gives its
 * group traffic; it cannot tell its own {@code MAINT} from an operator's, so a split with traffic
 * for a group ends an operator's {@code MAINT} on that group's servers too.
 *
 * <p>Errors: unknown backend, server or pool and other rejected commands throw {@link
 * HaproxyCommandException} or another {@link ConfigurationException}; an unreachable socket throws
 * the retryable {@link HaproxyUnavailableException}.
 */
public final class HaproxyRouter implements TrafficRouter {

  /** The provider type this router is registered under. */
  public static final String TYPE = "haproxy";

  /** The map entry that names the live pool's backend, unless {@code mapKey} says otherwise. */
  public static final String DEFAULT_MAP_KEY = "active";

  static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(200);

  /** HAProxy's highest server weight. */
  static final int MAX_WEIGHT = 256;

  private static final Logger log = LoggerFactory.getLogger(HaproxyRouter.class);

  private final HaproxyRuntimeApi api;
  private final String backend;
  private final Pools pools;
  private final Duration pollInterval;

  /**
   * A router over {@code backend}, reached through {@code api}.
   *
   * @throws ConfigurationException when {@code backend} is not a valid HAProxy name or {@code
   *     pollInterval} is not positive
   */
  public HaproxyRouter(HaproxyRuntimeApi api, String backend, Duration pollInterval) {
    this(api, backend, null, pollInterval);
  }

  /**
   * A router over a fleet split into {@code pools}, reached through {@code api}; {@code backend}
   * serves targets without a pool and may be {@code null} when every target has one. With {@code
   * pools} {@code null} this is {@link #HaproxyRouter(HaproxyRuntimeApi, String, Duration)}.
   *
   * @throws ConfigurationException when neither a backend nor pools are given, a name is invalid or
   *     {@code pollInterval} is not positive
   */
  public HaproxyRouter(HaproxyRuntimeApi api, String backend, Pools pools, Duration pollInterval) {
    if (pools == null || backend != null) {
      HaproxyRuntimeApi.requireName("backend", backend);
    }
    if (pollInterval.isNegative() || pollInterval.isZero()) {
      throw new ConfigurationException("haproxy: pollInterval must be positive");
    }
    this.api = api;
    this.backend = backend;
    this.pools = pools;
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
    Duration pollInterval = settings.duration("pollInterval", DEFAULT_POLL_INTERVAL);
    Map<String, String> backends = settings.stringMap("backends");
    if (backends.isEmpty()) {
      return new HaproxyRouter(api, settings.requiredString("backend"), pollInterval);
    }
    String backend = settings.string("backend", null);
    Pools pools =
        new Pools(
            backends,
            settings.requiredString("poolMap"),
            settings.string("mapKey", DEFAULT_MAP_KEY));
    return new HaproxyRouter(
        api, backend == null || backend.isBlank() ? null : backend, pools, pollInterval);
  }

  /** The backend for targets without a pool; {@code null} when only pools are set up. */
  public String backend() {
    return backend;
  }

  /** The pools this router switches between, if it is set up with any. */
  public Optional<Pools> pools() {
    return Optional.ofNullable(pools);
  }

  /**
   * The backend holding {@code target}'s server: its pool's backend when this router has pools and
   * the target names one, otherwise {@link #backend()}.
   *
   * @throws ConfigurationException when the target's pool is unknown, or it has none and there is
   *     no {@code backend}
   */
  public String backendOf(Target target) {
    if (pools != null && target.pool() != null) {
      String poolBackend = pools.backends().get(target.pool());
      if (poolBackend == null) {
        throw new ConfigurationException(
            "haproxy: target '"
                + target.id()
                + "' is in pool '"
                + target.pool()
                + "', which 'backends' does not name (pools: "
                + String.join(", ", pools.backends().keySet())
                + ")");
      }
      return poolBackend;
    }
    if (backend == null) {
      throw new ConfigurationException(
          "haproxy: target '"
              + target.id()
              + "' has no pool and no 'backend' setting says where its server is");
    }
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
    String serverBackend = backendOf(target);
    api.setState(serverBackend, server, ServerState.DRAIN);
    long started = System.nanoTime();
    long deadline = started + Math.max(0, timeout.toNanos());
    while (true) {
      StatRow row = serverRow(serverBackend, server);
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
      pause(serverBackend, deadline - now);
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
    String serverBackend = backendOf(target);
    api.setState(serverBackend, server, ServerState.READY);
    long started = System.nanoTime();
    long deadline = started + Math.max(0, timeout.toNanos());
    while (true) {
      String status = serverRow(serverBackend, server).text("status");
      long now = System.nanoTime();
      heartbeat.beat(
          new EnableProgress(server, status, Duration.ofNanos(now - started).toMillis()));
      if (takesTraffic(status)) {
        return new EnableResult(true, status);
      }
      if (now >= deadline) {
        return new EnableResult(false, status);
      }
      pause(serverBackend, deadline - now);
    }
  }

  /**
   * Sets the server's absolute weight (0 to 256; 0 takes it out of load balancing while it keeps
   * its sessions, persistent clients and health checks). Idempotent.
   *
   * @throws HaproxyCommandException for an unknown backend or server, or a weight out of range
   */
  public void setWeight(Target target, int weight) {
    api.setWeight(backendOf(target), target.id(), weight);
  }

  /**
   * Sets the weights of both groups (see the class documentation for the rounding) in one runtime
   * API line, after one {@code show stat} that checks every server exists, since HAProxy would run
   * the rest of a line past an unknown one. The commands that lower the canary's share go first, so
   * while HAProxy works through the line the canary never gets more than the old or the new share.
   * At 0% the canary servers end in {@code MAINT}, at 100% the stable ones; a group that gets
   * traffic has its servers in {@code MAINT} set ready again. Idempotent.
   *
   * @throws ConfigurationException when {@code canaryPercent} is outside 0 to 100, a group that
   *     should get traffic is empty, a target is in both groups, the targets are not all in one
   *     backend, or HAProxy knows no such server
   */
  @Override
  public void split(List<Target> canary, List<Target> stable, int canaryPercent) {
    if (canaryPercent < 0 || canaryPercent > 100) {
      throw new ConfigurationException(
          "haproxy: canary percent must be 0 to 100, not " + canaryPercent);
    }
    if (canary.isEmpty() && canaryPercent > 0) {
      throw new ConfigurationException(
          "haproxy: no canary targets to send " + canaryPercent + "% of the traffic to");
    }
    if (stable.isEmpty() && canaryPercent < 100) {
      throw new ConfigurationException(
          "haproxy: no stable targets to send " + (100 - canaryPercent) + "% of the traffic to");
    }
    Set<String> canaryIds = new HashSet<>();
    canary.forEach(target -> canaryIds.add(target.id()));
    for (Target target : stable) {
      if (canaryIds.contains(target.id())) {
        throw new ConfigurationException(
            "haproxy: target '" + target.id() + "' is both canary and stable");
      }
    }
    Set<String> splitBackends = new LinkedHashSet<>();
    canary.forEach(target -> splitBackends.add(backendOf(target)));
    stable.forEach(target -> splitBackends.add(backendOf(target)));
    if (splitBackends.size() != 1) {
      throw new ConfigurationException(
          "haproxy: a weight split needs canary and stable servers in one backend, not in "
              + String.join(", ", splitBackends));
    }
    String splitBackend = splitBackends.iterator().next();
    Weights weights = Weights.forSplit(canary.size(), stable.size(), canaryPercent);
    Map<String, StatRow> rows = rowsByServer(splitBackend);

    List<String> lowerCanaryShare = new ArrayList<>();
    List<String> raiseCanaryShare = new ArrayList<>();
    for (Target target : canary) {
      StatRow row = requireRow(rows, splitBackend, target.id());
      addCommands(splitBackend, target, row, weights.canary(), lowerCanaryShare, raiseCanaryShare);
    }
    for (Target target : stable) {
      StatRow row = requireRow(rows, splitBackend, target.id());
      // A stable server's group shrinking is the canary's share growing, and the other way round.
      addCommands(splitBackend, target, row, weights.stable(), raiseCanaryShare, lowerCanaryShare);
    }
    List<String> line = new ArrayList<>(lowerCanaryShare);
    line.addAll(raiseCanaryShare);
    api.executeSilently(line);
  }

  /**
   * Points the map entry {@code mapKey} at the backend of {@code pool} with one {@code set map} (or
   * {@code add map} when the entry is missing), after checking HAProxy runs that backend: a map
   * value naming no backend would leave every request without one. Then writes the same entry to
   * the map file, when it is on this machine. Idempotent: when the entry already names the backend,
   * only the file is brought in line.
   *
   * @throws ConfigurationException when this router has no pools, {@code pool} is not one of them,
   *     HAProxy runs no such backend or knows no such map
   * @throws UncheckedIOException when the map file exists here but cannot be written; the runtime
   *     switch has happened, and a retry repeats it harmlessly and writes the file again
   */
  @Override
  public void switchPool(String pool) {
    Pools configured = requirePools("switchPool");
    String poolBackend = configured.backends().get(pool);
    if (poolBackend == null) {
      throw new ConfigurationException(
          "haproxy: unknown pool '"
              + pool
              + "' (pools: "
              + String.join(", ", configured.backends().keySet())
              + ")");
    }
    if (!api.showBackends().contains(poolBackend)) {
      throw new ConfigurationException(
          "haproxy: HAProxy runs no backend '" + poolBackend + "' for pool '" + pool + "'");
    }
    String current = api.showMap(configured.mapFile()).get(configured.mapKey());
    if (current == null) {
      api.addMap(configured.mapFile(), configured.mapKey(), poolBackend);
    } else if (!current.equals(poolBackend)) {
      api.setMap(configured.mapFile(), configured.mapKey(), poolBackend);
    }
    persistMapEntry(configured, poolBackend);
  }

  /**
   * Reads the map entry {@code mapKey} ({@code show map}) and answers the pool whose backend it
   * names.
   *
   * @return the live pool, or {@code null} when this router has no pools
   * @throws ConfigurationException when the map has no such entry or it names a backend no pool has
   */
  @Override
  public String activePool() {
    if (pools == null) {
      return null;
    }
    String live = api.showMap(pools.mapFile()).get(pools.mapKey());
    if (live == null) {
      throw new ConfigurationException(
          "haproxy: map " + pools.mapFile() + " has no entry '" + pools.mapKey() + "'");
    }
    return pools.backends().entrySet().stream()
        .filter(entry -> entry.getValue().equals(live))
        .map(Map.Entry::getKey)
        .findFirst()
        .orElseThrow(
            () ->
                new ConfigurationException(
                    "haproxy: map "
                        + pools.mapFile()
                        + " routes to backend '"
                        + live
                        + "', which no pool in 'backends' names"));
  }

  /**
   * One {@code show stat} per backend involved, in the order of {@code targets}; a target whose
   * backend has no server for it is left out. {@code weight} is the weight set by configuration,
   * {@link #setWeight} or {@link #split} (HAProxy's {@code uweight}); {@code responsesTotal} sums
   * {@code hrsp_1xx} to {@code hrsp_other}; {@code avgResponseTimeMs} is HAProxy's {@code rtime}
   * (average over the last 1024 responses), or -1 before the server has answered anything.
   *
   * <p>Not part of {@link TrafficRouter}: metrics are read through the {@code haproxy-stats} metric
   * provider; this is for waiting on HAProxy's own view of its servers (the demo, tests).
   *
   * @throws HaproxyCommandException when HAProxy knows no such backend
   */
  public List<ServerStats> stats(List<Target> targets) {
    Map<String, Map<String, StatRow>> rowsByBackend = new HashMap<>();
    List<ServerStats> stats = new ArrayList<>(targets.size());
    for (Target target : targets) {
      StatRow row =
          rowsByBackend.computeIfAbsent(backendOf(target), this::rowsByServer).get(target.id());
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

  private static void addCommands(
      String splitBackend,
      Target target,
      StatRow row,
      int weight,
      List<String> shrinking,
      List<String> growing) {
    // shrinking: commands that lower the share of this server's group; growing: that raise it.
    long current = row.number("uweight", row.number("weight", 0));
    List<String> weightGoes = weight < current ? shrinking : growing;
    weightGoes.add(HaproxyRuntimeApi.setWeightCommand(splitBackend, target.id(), weight));
    if (weight == 0) {
      // Weight 0 still serves clients whose persistence cookie names this server; MAINT does not.
      shrinking.add(
          HaproxyRuntimeApi.setStateCommand(splitBackend, target.id(), ServerState.MAINT));
    } else if (row.text("status").equals("MAINT")) {
      // Plain "MAINT" is the forced state set over the runtime API, ours at a 0% or 100% split;
      // "MAINT (via ...)" and "MAINT (resolution)" are not ours to lift.
      growing.add(HaproxyRuntimeApi.setStateCommand(splitBackend, target.id(), ServerState.READY));
    }
  }

  private Pools requirePools(String operation) {
    if (pools == null) {
      throw new ConfigurationException(
          "haproxy: "
              + operation
              + " needs pools: set 'backends' (pool to backend) and 'poolMap' in the router's"
              + " settings");
    }
    return pools;
  }

  /**
   * HAProxy reads the map file only when it (re)loads its config, so after {@code set map} a reload
   * would route back to the pool the file names: the live switch quietly undone. Writing the file
   * to a temporary name and renaming it over the old one keeps a concurrent reload from reading a
   * half-written file. A map file that is not on this machine (HAProxy on another host, reached
   * over {@code tcp://}) is left to whoever deploys that host's config.
   */
  private static void persistMapEntry(Pools configured, String poolBackend) {
    Path file = Path.of(configured.mapFile());
    Path directory = file.toAbsolutePath().getParent();
    if (configured.mapFile().startsWith("#")
        || directory == null
        || !Files.isDirectory(directory)) {
      log.warn(
          "map {} is not a file on this host: switched HAProxy's live map entry '{}' to {} only;"
              + " a reload of HAProxy would route by its own copy of the file",
          configured.mapFile(),
          configured.mapKey(),
          poolBackend);
      return;
    }
    try {
      List<String> before = Files.exists(file) ? Files.readAllLines(file, UTF_8) : List.of();
      List<String> after = withEntry(before, configured.mapKey(), poolBackend);
      if (after.equals(before)) {
        return;
      }
      Path temporary = Files.createTempFile(directory, "." + file.getFileName() + ".", ".tmp");
      try {
        if (Files.exists(file)) {
          copyPermissions(file, temporary);
        }
        Files.write(temporary, after, UTF_8);
        Files.move(
            temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(temporary);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "HAProxy now routes to "
              + poolBackend
              + ", but its map file "
              + file
              + " could not be updated; a reload would route back: "
              + e.getMessage(),
          e);
    }
  }

  /** The map file's lines with every entry for {@code key} set to {@code value}, or one added. */
  static List<String> withEntry(List<String> lines, String key, String value) {
    List<String> result = new ArrayList<>(lines.size() + 1);
    boolean found = false;
    for (String line : lines) {
      String stripped = line.strip();
      String[] parts = stripped.split("\\s+", 2);
      if (!stripped.startsWith("#") && parts[0].equals(key)) {
        result.add(key + " " + value);
        found = true;
      } else {
        result.add(line);
      }
    }
    if (!found) {
      result.add(key + " " + value);
    }
    return result;
  }

  private static void copyPermissions(Path from, Path to) throws IOException {
    try {
      Files.setPosixFilePermissions(to, Files.getPosixFilePermissions(from));
    } catch (UnsupportedOperationException notPosix) {
      // Nothing to copy on this file system.
    }
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

  private Map<String, StatRow> rowsByServer(String serverBackend) {
    return api.showServerStats(serverBackend).stream()
        .collect(Collectors.toMap(StatRow::name, Function.identity(), (a, b) -> a));
  }

  private static StatRow requireRow(
      Map<String, StatRow> rows, String serverBackend, String server) {
    StatRow row = rows.get(server);
    if (row == null) {
      throw noSuchServer(serverBackend, server);
    }
    return row;
  }

  private StatRow serverRow(String serverBackend, String server) {
    return api.showServerStats(serverBackend).stream()
        .filter(row -> row.name().equals(server))
        .findFirst()
        .orElseThrow(() -> noSuchServer(serverBackend, server));
  }

  private static ConfigurationException noSuchServer(String serverBackend, String server) {
    return new ConfigurationException(
        "haproxy: backend '" + serverBackend + "' has no server '" + server + "'");
  }

  private void pause(String serverBackend, long remainingNanos) {
    try {
      Thread.sleep(Math.max(1, Math.min(pollInterval.toMillis(), remainingNanos / 1_000_000)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      CancellationException cancelled =
          new CancellationException(
              "interrupted while waiting on HAProxy backend " + serverBackend);
      cancelled.initCause(e);
      throw cancelled;
    }
  }

  /**
   * Counters of one server at HAProxy.
   *
   * @param status HAProxy's status word, e.g. {@code UP}, {@code DOWN}, {@code DRAIN}, {@code
   *     MAINT}
   * @param weight the weight as set ({@code uweight})
   * @param currentSessions {@code scur}
   * @param totalSessions {@code stot}
   * @param responses5xx cumulative 5xx responses
   * @param responsesTotal cumulative HTTP responses
   * @param avgResponseTimeMs {@code rtime}, HAProxy's average over its last 1024 responses, or -1
   */
  public record ServerStats(
      String targetId,
      String status,
      int weight,
      long currentSessions,
      long totalSessions,
      long responses5xx,
      long responsesTotal,
      long avgResponseTimeMs) {}

  /**
   * A fleet's pools at HAProxy: which backend holds each pool's servers, and the map entry that
   * names the live one.
   *
   * @param backends pool name to backend name; not empty, no backend named twice
   * @param mapFile the map file as HAProxy's config names it (or {@code #<id>})
   * @param mapKey the key of the entry whose value is the live pool's backend
   */
  public record Pools(Map<String, String> backends, String mapFile, String mapKey) {

    /**
     * @throws ConfigurationException for an empty or ambiguous {@code backends}, or a name HAProxy
     *     would not accept
     */
    public Pools {
      if (backends == null || backends.isEmpty()) {
        throw new ConfigurationException("haproxy: 'backends' names no pool");
      }
      backends.forEach(
          (pool, poolBackend) -> {
            HaproxyRuntimeApi.requireName("pool", pool);
            HaproxyRuntimeApi.requireName("backend", poolBackend);
          });
      if (new HashSet<>(backends.values()).size() != backends.size()) {
        throw new ConfigurationException(
            "haproxy: two pools share a backend in 'backends' " + backends);
      }
      HaproxyRuntimeApi.requireMapName(mapFile);
      HaproxyRuntimeApi.requireName("map key", mapKey);
      backends = Collections.unmodifiableMap(new LinkedHashMap<>(backends));
    }
  }

  /**
   * The weight of each canary and each stable server for a split.
   *
   * @param canary weight of every canary server, 0 to 256
   * @param stable weight of every stable server, 0 to 256
   */
  record Weights(int canary, int stable) {

    /**
     * The weights that give {@code canaryCount} canary servers {@code percent}% of the summed
     * weight against {@code stableCount} stable servers: 0 and 1 at 0%, 1 and 0 at 100%, in between
     * the pair from 1 to 256 whose share is nearest to {@code percent}%, the smaller pair on a tie
     * (so an exact ratio comes out reduced).
     */
    static Weights forSplit(int canaryCount, int stableCount, int percent) {
      if (percent == 0) {
        return new Weights(0, 1);
      }
      if (percent == 100) {
        return new Weights(1, 0);
      }
      Weights best = null;
      long bestErrorNumerator = 0;
      long bestErrorDenominator = 1;
      for (int canary = 1; canary <= MAX_WEIGHT; canary++) {
        for (int stable = 1; stable <= MAX_WEIGHT; stable++) {
          long canarySum = (long) canaryCount * canary;
          long total = canarySum + (long) stableCount * stable;
          // |canarySum / total - percent / 100| as a fraction, compared exactly.
          long errorNumerator = Math.abs(100 * canarySum - percent * total);
          long errorDenominator = 100 * total;
          boolean better =
              best == null
                  || errorNumerator * bestErrorDenominator < bestErrorNumerator * errorDenominator
                  || (errorNumerator * bestErrorDenominator == bestErrorNumerator * errorDenominator
                      && canary + stable < best.canary() + best.stable());
          if (better) {
            best = new Weights(canary, stable);
            bestErrorNumerator = errorNumerator;
            bestErrorDenominator = errorDenominator;
          }
        }
      }
      return best;
    }

    /** The canary group's share of the summed weight, in percent. */
    double canaryPercent(int canaryCount, int stableCount) {
      double canarySum = (double) canaryCount * canary;
      double total = canarySum + (double) stableCount * stable;
      return total == 0 ? 0 : 100 * canarySum / total;
    }
  }

  /** Heartbeat details of a drain: sessions still open on the server and time waited so far. */
  public record DrainProgress(
      String server, long currentSessions, long queued, long waitedMillis) {}

  /** Heartbeat details of an enable: HAProxy's latest status of the server. */
  public record EnableProgress(String server, String status, long waitedMillis) {}
}
