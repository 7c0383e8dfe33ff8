package dev.sluice.activities.metrics.haproxystats;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.Settings;
import dev.sluice.activities.traffic.haproxy.HaproxyCommandException;
import dev.sluice.activities.traffic.haproxy.HaproxyRuntimeApi;
import dev.sluice.activities.traffic.haproxy.HaproxyRuntimeApi.StatRow;
import dev.sluice.activities.traffic.haproxy.HaproxyUnavailableException;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
import dev.sluice.ports.MetricProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * {@link MetricProvider} over HAProxy's per-server counters ({@code show stat} on the runtime API),
 * added up over a group's servers. A target's {@link Target#id() id} is its server name, as for the
 * {@code haproxy} traffic router, whose settings this provider reads the same way.
 *
 * <p>Settings ({@link ProviderRef} type {@value #TYPE}):
 *
 * <ul>
 *   <li>{@code socket} (required): the admin socket, a Unix socket path or {@code tcp://host:port};
 *       only {@code show stat} and {@code show info} are sent, so {@code level user} is enough.
 *   <li>{@code backend}: the backend holding the targets' servers; required unless {@code backends}
 *       is set, and then used for targets without a pool.
 *   <li>{@code backends} (optional): pool name to backend name, for a fleet split into pools.
 *   <li>{@code commandTimeout} (default {@code 5s}): limit for one runtime API round trip.
 * </ul>
 *
 * The router's {@code poolMap}, {@code mapKey} and {@code pollInterval} are ignored, so one
 * settings map can serve both.
 *
 * <p>What each {@link Kind} measures; the metric's name does not matter:
 *
 * <ul>
 *   <li>{@link Kind#RATIO}: failed attempts out of attempts at the group's servers. An attempt is a
 *       request HAProxy sent to the server; it failed when the server answered 5xx ({@code
 *       hrsp_5xx}) or did not answer at all: connection refused or reset, empty or invalid answer,
 *       server timeout, or the client giving up first. Unanswered attempts are counted as {@code
 *       stot - scur - (hrsp_1xx + ... + hrsp_other)}, because HAProxy's own error counters miss
 *       most of them: with {@code retry-on} and {@code option redispatch} (as Sluice's HAProxy
 *       config has), an attempt that failed and was retried on another server shows up only in the
 *       retry counters, never in {@code econ}, {@code eresp} or {@code hrsp_5xx}, so a canary
 *       dropping every fourth connection would look spotless. Retried attempts count each time, so
 *       a server that refuses everything shows as failing 100% of its attempts. An attempt in
 *       flight at a reading can move a failure to a later window but never adds one; the failure of
 *       an attempt in flight at a key's first reading is not counted (see {@code
 *       Reading.settledAfter}).
 *   <li>{@link Kind#VALUE}: the group's mean response time in milliseconds over the window: each
 *       server's window mean recovered from its {@code rtime} (time to the response headers, which
 *       HAProxy averages over the server's last 1024 responses; see {@link #windowMean}), weighted
 *       by the responses it gave in the window. HAProxy keeps no percentiles and no distribution,
 *       so this cannot see a slow tail.
 *   <li>{@link Kind#SAMPLES}: not supported; always {@link Status#NO_DATA} saying so. HAProxy keeps
 *       no individual response times; use a histogram through the {@code prometheus} provider.
 * </ul>
 *
 * <p>Windows: HAProxy's counters only ever grow, so a fetch returns the difference from the
 * previous fetch of the same metric, group and servers, whatever the query's window; the detail
 * says how long that actually was. The first fetch of a key only takes a reading and answers {@link
 * Status#NO_DATA} ("warming up"); so does a fetch after HAProxy's counters were reset (a new
 * HAProxy process, {@code clear counters}, a counter that went down). Readings live in this
 * object's memory, at most {@value #MAX_READINGS} keys, least recently used dropped first: with
 * several workers, a fetch served by another worker warms up again, and two analyses fetching the
 * same key at once share the counts between them. Fetches are serialized so no two read the same
 * previous reading.
 *
 * <p>Errors: an unreachable socket, an error answer (unknown backend, insufficient level) or a
 * server missing from its backend is {@link Status#ERROR}; a target whose pool no setting names
 * throws {@link ConfigurationException}.
 */
public final class HaproxyStatsProvider implements MetricProvider {

  /** The provider type this provider is registered under. */
  public static final String TYPE = "haproxy-stats";

  /** How many (metric, group, servers) readings are kept. */
  static final int MAX_READINGS = 1024;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:-]+");
  private static final List<String> RESPONSE_COLUMNS =
      List.of("hrsp_1xx", "hrsp_2xx", "hrsp_3xx", "hrsp_4xx", "hrsp_5xx", "hrsp_other");

  private final HaproxyRuntimeApi api;
  private final String backend;
  private final Map<String, String> backends;
  private final Map<Key, Reading> readings =
      new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Reading> eldest) {
          return size() > MAX_READINGS;
        }
      };

  /**
   * A provider reading {@code api}; {@code backend} holds targets without a pool ({@code null} when
   * every target has one), {@code backends} maps pools to backends (empty without pools).
   *
   * @throws ConfigurationException when neither is given or a name is not a valid HAProxy name
   */
  public HaproxyStatsProvider(HaproxyRuntimeApi api, String backend, Map<String, String> backends) {
    if (backend == null && backends.isEmpty()) {
      throw new ConfigurationException(TYPE + ": setting 'backend' or 'backends' is required");
    }
    if (backend != null) {
      requireName("backend", backend);
    }
    backends.forEach(
        (pool, poolBackend) -> {
          requireName("pool", pool);
          requireName("backend", poolBackend);
        });
    this.api = api;
    this.backend = backend;
    this.backends = Map.copyOf(backends);
  }

  /**
   * Builds a provider from its reference; see the class documentation for the settings. Connects to
   * nothing: an unreachable socket shows up as {@link Status#ERROR} samples.
   *
   * @throws ConfigurationException when a setting is missing or malformed
   */
  public static HaproxyStatsProvider fromRef(ProviderRef ref) {
    Settings settings = new Settings(TYPE, ref.settings());
    HaproxyRuntimeApi api =
        HaproxyRuntimeApi.of(
            settings.requiredString("socket"),
            settings.duration("commandTimeout", HaproxyRuntimeApi.DEFAULT_TIMEOUT));
    String backend = settings.string("backend", null);
    return new HaproxyStatsProvider(
        api, backend == null || backend.isBlank() ? null : backend, settings.stringMap("backends"));
  }

  /** HAProxy keeps averages only: no {@link Kind#SAMPLES}. */
  @Override
  public String cannotServe(Kind kind) {
    return kind == Kind.SAMPLES
        ? "HAProxy's counters keep no individual response times: a samples metric needs a"
            + " provider with histograms (prometheus)"
        : null;
  }

  /** HAProxy counts per server, and both cohorts are served by the same servers. */
  @Override
  public String cannotCompareCohorts() {
    return "HAProxy's counters cannot tell flag-on users from flag-off ones: comparing cohorts"
        + " needs metrics labelled by cohort (a prometheus provider)";
  }

  /**
   * Reads the group's counters and answers their change since the previous fetch of the same key;
   * see the class documentation.
   *
   * @return never {@code null}; {@link Status#NO_DATA} for the first fetch of a key, after a
   *     counter reset, for an empty group, for {@link Kind#SAMPLES} and for a {@link Kind#VALUE}
   *     without responses in the window; {@link Status#ERROR} when HAProxy cannot be read
   * @throws ConfigurationException when a target's pool is not in {@code backends}, or it has none
   *     and there is no {@code backend}
   */
  @Override
  public Sample fetch(Query query) {
    if (query.kind() == Kind.SAMPLES) {
      return Sample.noData(
          TYPE
              + " has no individual response times (HAProxy keeps only averages): metric '"
              + query.metric()
              + "' needs a provider with histograms, such as prometheus");
    }
    if (query.targets() == null || query.targets().isEmpty()) {
      return Sample.noData("group '" + query.group() + "' has no targets");
    }
    Map<String, List<String>> serversByBackend = new TreeMap<>();
    for (Target target : query.targets()) {
      serversByBackend.computeIfAbsent(backendOf(target), b -> new ArrayList<>()).add(target.id());
    }
    List<String> servers = new ArrayList<>();
    serversByBackend.forEach((b, names) -> names.forEach(name -> servers.add(b + "/" + name)));
    servers.sort(null);
    Key key = new Key(query.metric(), query.group(), List.copyOf(servers));
    synchronized (readings) {
      Reading now;
      try {
        now = read(serversByBackend);
      } catch (HaproxyUnavailableException | HaproxyCommandException e) {
        return Sample.error(e.getMessage());
      }
      List<String> missing = servers.stream().filter(s -> !now.counters().containsKey(s)).toList();
      if (!missing.isEmpty()) {
        return Sample.error("HAProxy at " + api.socket() + " has no server " + missing);
      }
      Reading before = readings.get(key);
      String reset = before == null ? null : resetBetween(before, now);
      Reading settled = now.settledAfter(reset == null ? before : null);
      readings.put(key, settled);
      if (before == null) {
        return Sample.noData(
            "warming up: first reading of "
                + servers
                + " for metric '"
                + query.metric()
                + "'; HAProxy's counters only grow, so data comes from the next fetch on");
      }
      if (reset != null) {
        return Sample.noData(
            "HAProxy's counters were reset since the last fetch ("
                + reset
                + "); data comes from the next fetch on");
      }
      return query.kind() == Kind.RATIO ? ratio(before, settled) : responseTime(before, settled);
    }
  }

  /**
   * The backend holding {@code target}'s server: its pool's backend when {@code backends} is set
   * and the target names a pool, otherwise {@code backend}.
   */
  String backendOf(Target target) {
    if (!backends.isEmpty() && target.pool() != null) {
      String poolBackend = backends.get(target.pool());
      if (poolBackend == null) {
        throw new ConfigurationException(
            TYPE
                + ": target '"
                + target.id()
                + "' is in pool '"
                + target.pool()
                + "', which 'backends' does not name (pools: "
                + String.join(", ", new TreeMap<>(backends).keySet())
                + ")");
      }
      return poolBackend;
    }
    if (backend == null) {
      throw new ConfigurationException(
          TYPE + ": target '" + target.id() + "' has no pool and there is no 'backend' setting");
    }
    return backend;
  }

  private Reading read(Map<String, List<String>> serversByBackend) {
    String pid = processId();
    Map<String, Counters> counters = new TreeMap<>();
    serversByBackend.forEach(
        (serverBackend, names) -> {
          for (StatRow row : api.showServerStats(serverBackend)) {
            if (names.contains(row.name())) {
              counters.put(serverBackend + "/" + row.name(), Counters.of(row));
            }
          }
        });
    return Reading.raw(pid, System.nanoTime(), counters);
  }

  // A restarted or reloaded HAProxy is a new process whose counters started from zero, possibly
  // already past the old ones, so comparing counters alone would miss it.
  private String processId() {
    for (String line : api.execute("show info").split("\n")) {
      if (line.startsWith("Pid:")) {
        return line.substring("Pid:".length()).strip();
      }
    }
    return "";
  }

  private static String resetBetween(Reading before, Reading now) {
    if (!before.pid().equals(now.pid())) {
      return "HAProxy process " + before.pid() + " is now " + now.pid();
    }
    for (Map.Entry<String, Counters> entry : now.counters().entrySet()) {
      Counters old = before.counters().get(entry.getKey());
      if (old != null && !entry.getValue().atLeast(old)) {
        return "counters of " + entry.getKey() + " went down";
      }
    }
    return null;
  }

  private static Sample ratio(Reading before, Reading now) {
    long errors = 0;
    long unanswered = 0;
    long responses = 0;
    for (Map.Entry<String, Counters> entry : now.counters().entrySet()) {
      Counters old = before.counters().get(entry.getKey());
      Counters current = entry.getValue();
      errors += current.errors() - old.errors();
      responses += current.responses() - old.responses();
    }
    for (Map.Entry<String, Long> entry : now.unanswered().entrySet()) {
      // Down when the cap lowered an over-estimate: no failures, not negative ones.
      unanswered += Math.max(0, entry.getValue() - before.unanswered().get(entry.getKey()));
    }
    long total = responses + unanswered;
    return Sample.ratio(
        errors + unanswered,
        total,
        String.format(
            Locale.ROOT,
            "%s %s: %d 5xx + %d unanswered of %d attempts over %s",
            TYPE,
            now.counters().keySet(),
            errors,
            unanswered,
            total,
            elapsed(before, now)));
  }

  private static Sample responseTime(Reading before, Reading now) {
    double weightedSum = 0;
    long responses = 0;
    for (Map.Entry<String, Counters> entry : now.counters().entrySet()) {
      long answered =
          entry.getValue().responses() - before.counters().get(entry.getKey()).responses();
      if (answered > 0 && entry.getValue().rtimeMs() >= 0) {
        long was = before.counters().get(entry.getKey()).rtimeMs();
        weightedSum +=
            (double) answered
                * windowMean(
                    was, entry.getValue().rtimeMs(), answered, entry.getValue().responses());
        responses += answered;
      }
    }
    if (responses == 0) {
      return Sample.noData(
          "no responses from " + now.counters().keySet() + " over " + elapsed(before, now));
    }
    return Sample.value(
        weightedSum / responses,
        String.format(
            Locale.ROOT,
            "%s %s: mean response time in ms of %d responses over %s (recovered from HAProxy's"
                + " rtime; no percentiles)",
            TYPE,
            now.counters().keySet(),
            responses,
            elapsed(before, now)));
  }

  /** How many responses HAProxy's per-server response-time average covers. */
  static final int HAPROXY_WINDOW = 1024;

  /**
   * The mean response time of the {@code answered} responses of a window, from HAProxy's {@code
   * rtime} before and after it, the server having answered {@code total} in all. HAProxy's figure
   * is the plain mean of all responses until a server has answered 1024, then a moving average
   * (each response moves it by 1/1024 of the difference): it remembers a new server's JIT warm-up
   * for minutes. Both forms are inverted here: after {@code n} responses of mean {@code m}, {@code
   * avg' = m + (avg - m)·k} with {@code k = (1 - 1/1024)^n}. HAProxy's whole milliseconds make the
   * result noisy over few responses, never biased. A window without responses has a mean of 0.
   */
  static double windowMean(long before, long after, long answered, long total) {
    if (answered <= 0) {
      return 0;
    }
    double was = Math.max(0, before);
    double is = Math.max(0, after);
    if (total <= HAPROXY_WINDOW) {
      double earlier = Math.max(0, total - answered);
      return Math.max(0, (is * total - was * earlier) / answered);
    }
    double k = Math.pow(1 - 1.0 / HAPROXY_WINDOW, answered);
    return Math.max(0, (is - was * k) / (1 - k));
  }

  private static String elapsed(Reading before, Reading now) {
    Duration elapsed = Duration.ofNanos(now.nanoTime() - before.nanoTime());
    return String.format(Locale.ROOT, "%.1fs", elapsed.toMillis() / 1000.0);
  }

  private static void requireName(String kind, String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new ConfigurationException(
          TYPE + ": " + kind + " name '" + name + "' is not a valid HAProxy name");
    }
  }

  /** What one fetch's figures are kept under. */
  private record Key(String metric, String group, List<String> servers) {}

  /**
   * One reading of HAProxy's counters, by {@code backend/server}.
   *
   * @param unanswered per server, unanswered attempts so far as {@link #settledAfter} keeps them;
   *     empty until then
   */
  private record Reading(
      String pid, long nanoTime, Map<String, Counters> counters, Map<String, Long> unanswered) {

    /** A reading not yet settled: only {@link #settledAfter} reads it. */
    static Reading raw(String pid, long nanoTime, Map<String, Counters> counters) {
      return new Reading(pid, nanoTime, counters, Map.of());
    }

    /**
     * This reading with its unanswered attempts settled, following {@code before} (the previous
     * reading of the same servers and HAProxy process) or starting afresh when {@code null}.
     *
     * <p>{@code u = stot - scur - hrsp_*} dips below the truth while an answered attempt is still
     * open (its response counted, its session still current), and comes back up when it closes:
     * taken window by window, that reads as an attempt that failed. A pool that has just taken
     * traffic shows one or two in its first second, enough to fail a 1% warm-up. The true count
     * lies between {@code u} and {@code u + scur} (the open attempts are at most all of {@code
     * scur}) and never goes down. So the count kept is the highest {@code u} seen, capped by this
     * reading's {@code u + scur}, and a first reading starts at {@code u + scur}, as if every
     * attempt then in flight had failed: a request in flight can delay a failure to a later window,
     * never invent one; the failure of an attempt in flight at the first reading is not counted,
     * nor one hidden under the cap until a later reading lowers it.
     */
    Reading settledAfter(Reading before) {
      Map<String, Long> settled = new TreeMap<>();
      counters.forEach(
          (server, now) -> {
            long ceiling = now.unanswered() + now.current();
            settled.put(
                server,
                before == null
                    ? ceiling
                    : Math.min(
                        Math.max(before.unanswered().get(server), now.unanswered()), ceiling));
          });
      return new Reading(pid, nanoTime, counters, settled);
    }
  }

  /**
   * One server's counters.
   *
   * @param sessions {@code stot}: attempts sent to the server, in HTTP mode one per request
   * @param current {@code scur}: attempts in progress now
   * @param responses {@code hrsp_1xx} to {@code hrsp_other}
   * @param errors {@code hrsp_5xx}
   * @param rtimeMs {@code rtime}, or -1 when the server has not answered yet
   */
  private record Counters(long sessions, long current, long responses, long errors, long rtimeMs) {

    static Counters of(StatRow row) {
      long responses = 0;
      for (String column : RESPONSE_COLUMNS) {
        responses += row.number(column, 0);
      }
      return new Counters(
          row.number("stot", 0),
          row.number("scur", 0),
          responses,
          row.number("hrsp_5xx", 0),
          row.number("rtime", -1));
    }

    /** Attempts that ended without a response: failed, refused, timed out or given up on. */
    long unanswered() {
      return sessions - current - responses;
    }

    boolean atLeast(Counters old) {
      return sessions >= old.sessions && responses >= old.responses && errors >= old.errors;
    }
  }
}
