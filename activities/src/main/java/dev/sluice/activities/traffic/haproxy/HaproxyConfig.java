package dev.sluice.activities.traffic.haproxy;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.Settings;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.model.Target;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An HAProxy config that {@link HaproxyRouter} can drive: the one place that knows what such a
 * config must hold. {@code HaproxyInstance} (test sources) runs it; {@link #forService} renders a
 * starting config for a user's own HAProxy from a service definition ({@code GET
 * /api/v1/services/{name}/haproxy.cfg}).
 *
 * <p>What the router needs, and this config has: one {@code server} per target named by the
 * target's id, in the backend of its pool ({@code backends}) or the one {@code backend}; HTTP
 * health checks ({@code check}, {@code option httpchk GET <health path>}) so that enable waits for
 * a server that really answers; the runtime API on an admin socket at {@code level admin}; for
 * pools (blue-green) a {@code use_backend} that reads the live backend from a map entry; with
 * {@code stickySessions}, a persistence cookie naming the server. Retries with {@code redispatch}
 * keep a rolling deploy from failing requests to a server that just went away.
 */
public final class HaproxyConfig {

  /** The persistence cookie HAProxy inserts with sticky sessions. */
  public static final String STICKY_COOKIE = "SLUICE";

  /** Where {@link #forService} binds the frontend and the stats page unless told otherwise. */
  public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";

  public static final int DEFAULT_FRONTEND_PORT = 8000;
  public static final int DEFAULT_STATS_PORT = 8404;

  private static final Pattern NO_LINE_BREAK = Pattern.compile("[^\\r\\n]*");
  private static final Pattern TCP_SOCKET = Pattern.compile("tcp://(.+):(\\d+)");

  private final List<String> header;
  private final String socket;
  private final String bindAddress;
  private final int frontendPort;
  private final int statsPort;
  private final Map<String, List<Target>> backends;
  private final String defaultBackend;
  private final PoolMap poolMap;
  private final boolean stickySessions;
  private final String healthCheckPath;
  private final int maxconn;
  private final List<String> extraGlobal;
  private final List<String> extraDefaults;
  private final List<String> extraBackend;

  private HaproxyConfig(Builder builder) {
    this.header = List.copyOf(builder.header);
    this.socket = builder.socket;
    this.bindAddress = builder.bindAddress;
    this.frontendPort = builder.frontendPort;
    this.statsPort = builder.statsPort;
    this.backends = Collections.unmodifiableMap(new LinkedHashMap<>(builder.backends));
    this.defaultBackend = builder.defaultBackend;
    this.poolMap = builder.poolMap;
    this.stickySessions = builder.stickySessions;
    this.healthCheckPath = builder.healthCheckPath;
    this.maxconn = builder.maxconn;
    this.extraGlobal = List.copyOf(builder.extraGlobal);
    this.extraDefaults = List.copyOf(builder.extraDefaults);
    this.extraBackend = List.copyOf(builder.extraBackend);
  }

  /**
   * A builder for a config whose runtime API listens on {@code socket}: a Unix socket path, or
   * {@code tcp://host:port} as {@link HaproxyRuntimeApi#of} takes it.
   */
  public static Builder builder(String socket) {
    return new Builder(socket);
  }

  /** The file {@link #renderFor} renders, as the registry and the API name it. */
  public static final String FILE_NAME = "haproxy.cfg";

  /**
   * {@link #forService}'s config for a service's definition, rendered: health-checked on its health
   * check's path ({@code /health} when it has none).
   */
  public static String renderFor(ServiceDefinition service) {
    String path = service.healthCheck().path();
    return forService(
            service.name(),
            service.fleet(),
            service.trafficRouter(),
            path == null ? "/health" : path)
        .build()
        .render();
  }

  /**
   * A starting config for a service: its {@code fleet} behind the backends its {@code router}
   * settings name (read as {@link HaproxyRouter#fromRef} reads them, plus {@code stickySessions}),
   * health-checked on {@code healthCheckPath}. With pools, the map starts on the first pool of
   * {@code backends}. The frontend and stats page bind {@value #DEFAULT_BIND_ADDRESS} on ports
   * {@value #DEFAULT_FRONTEND_PORT} and {@value #DEFAULT_STATS_PORT} unless the builder is told
   * otherwise.
   *
   * @throws ConfigurationException when {@code router} is not of type {@code haproxy}, a setting is
   *     missing or malformed, or a target's pool has no backend
   */
  public static Builder forService(
      String service, List<Target> fleet, ProviderRef router, String healthCheckPath) {
    if (router == null || !HaproxyRouter.TYPE.equals(router.type())) {
      throw new ConfigurationException(
          "haproxy: the traffic router is "
              + (router == null ? "not set" : "of type '" + router.type() + "'")
              + ", not '"
              + HaproxyRouter.TYPE
              + "'");
    }
    HaproxyRouter routing = HaproxyRouter.fromRef(router);
    Settings settings = new Settings("haproxy router", router.settings());
    Builder builder =
        builder(settings.requiredString("socket"))
            .header("Starting HAProxy config for service " + service + ", rendered by Sluice")
            .header("from its definition. Review the bind lines, timeouts and paths; keep the")
            .header("server names, checks, admin socket and map: Sluice's router relies on them.")
            .healthCheckPath(healthCheckPath)
            .stickySessions(Boolean.parseBoolean(settings.string("stickySessions", "false")));
    Optional<HaproxyRouter.Pools> pools = routing.pools();
    pools.ifPresent(
        p -> p.backends().values().forEach(poolBackend -> builder.backend(poolBackend, List.of())));
    if (routing.backend() != null) {
      builder.backend(routing.backend(), List.of());
    }
    for (Target target : fleet) {
      builder.server(routing.backendOf(target), target);
    }
    pools.ifPresent(
        p -> builder.poolMap(p.mapFile(), p.mapKey(), p.backends().values().iterator().next()));
    return builder;
  }

  /** The config file's text. */
  public String render() {
    List<String> lines = new ArrayList<>();
    header.forEach(line -> lines.add("# " + line));
    lines.add("global");
    lines.add("    maxconn " + maxconn);
    lines.add("    stats socket " + socketAddress() + " mode 600 level admin");
    lines.add("    stats timeout 30s");
    lines.add("    log stderr format iso local0 info");
    extraGlobal.forEach(line -> lines.add("    " + line));
    lines.add("");
    lines.add("defaults");
    lines.add("    mode http");
    lines.add("    log global");
    lines.add("    timeout connect 2s");
    lines.add("    timeout client 30s");
    lines.add("    timeout server 30s");
    lines.add("    timeout check 2s");
    lines.add("    # A request to a server that just went away (stopped before its checks");
    lines.add("    # noticed, or closing a reused connection) is retried, each retry on another");
    lines.add("    # server, so a rolling deploy fails no request. response-timeout also retries");
    lines.add("    # slow requests: fine for idempotent ones, which is what this setup serves.");
    lines.add("    option redispatch 1");
    lines.add("    retries 3");
    lines.add("    retry-on conn-failure empty-response response-timeout");
    lines.add("    default-server inter 500ms fall 2 rise 2 check");
    extraDefaults.forEach(line -> lines.add("    " + line));
    lines.add("");
    lines.add("frontend http-in");
    lines.add("    bind " + bindAddress + ":" + frontendPort);
    lines.add("    option httplog");
    lines.add("    option dontlognull");
    if (poolMap == null) {
      lines.add("    default_backend " + defaultBackend);
    } else {
      lines.add(
          "    # The live pool's backend comes from a map entry, which one runtime API command");
      lines.add("    # (set map) switches for every request routed after it.");
      lines.add(
          "    use_backend %[str("
              + poolMap.key()
              + "),map("
              + poolMap.file()
              + ","
              + poolMap.initialBackend()
              + ")]");
    }
    lines.add("");
    backends.forEach((name, servers) -> renderBackend(lines, name, servers));
    lines.add("listen stats");
    lines.add("    bind " + bindAddress + ":" + statsPort);
    lines.add("    no log");
    // Debian's build has the exporter; a build without it skips the line instead of failing.
    lines.add(".if feature(PROMEX)");
    lines.add("    http-request use-service prometheus-exporter if { path /metrics }");
    lines.add(".endif");
    lines.add("    stats enable");
    lines.add("    stats uri /");
    lines.add("    stats refresh 2s");
    lines.add("    stats show-legends");
    lines.add("");
    return String.join("\n", lines);
  }

  /**
   * The map file's text: the initial backend under the map key; empty without pools. HAProxy reads
   * it at start; the router rewrites the entry when it switches pools.
   */
  public String renderPoolMap() {
    if (poolMap == null) {
      return "";
    }
    return "# The live pool's backend; Sluice's router rewrites the entry when it switches pools.\n"
        + poolMap.key()
        + " "
        + poolMap.initialBackend()
        + "\n";
  }

  /** The map the frontend routes by, if the config has pools. */
  public Optional<PoolMap> poolMap() {
    return Optional.ofNullable(poolMap);
  }

  /** Backend name to its servers, in the order rendered. */
  public Map<String, List<Target>> backends() {
    return backends;
  }

  public String bindAddress() {
    return bindAddress;
  }

  public int frontendPort() {
    return frontendPort;
  }

  public int statsPort() {
    return statsPort;
  }

  private String socketAddress() {
    var tcp = TCP_SOCKET.matcher(socket);
    // HAProxy's own syntax for a TCP listener; a path is a Unix socket.
    return tcp.matches() ? "ipv4@" + tcp.group(1) + ":" + tcp.group(2) : socket;
  }

  private void renderBackend(List<String> lines, String name, List<Target> servers) {
    lines.add("backend " + name);
    lines.add("    balance roundrobin");
    lines.add("    option httpchk GET " + healthCheckPath);
    lines.add("    http-check expect status 200");
    if (stickySessions) {
      lines.add("    cookie " + STICKY_COOKIE + " insert indirect nocache");
    }
    for (Target target : servers) {
      lines.add(
          "    server "
              + target.id()
              + " "
              + target.address()
              + (stickySessions ? " cookie " + target.id() : ""));
    }
    extraBackend.forEach(line -> lines.add("    " + line));
    lines.add("");
  }

  /**
   * The map entry that names the live pool's backend.
   *
   * @param file the map file as the config names it
   * @param key the entry's key
   * @param initialBackend the backend the map file names when HAProxy starts, and the fallback when
   *     the entry is missing
   */
  public record PoolMap(String file, String key, String initialBackend) {}

  /** Builds a {@link HaproxyConfig}; every name is checked as HAProxy would. */
  public static final class Builder {
    private final String socket;
    private final List<String> header = new ArrayList<>();
    private String bindAddress = DEFAULT_BIND_ADDRESS;
    private int frontendPort = DEFAULT_FRONTEND_PORT;
    private int statsPort = DEFAULT_STATS_PORT;
    private final Map<String, List<Target>> backends = new LinkedHashMap<>();
    private String defaultBackend;
    private PoolMap poolMap;
    private boolean stickySessions;
    private String healthCheckPath = "/health";
    private int maxconn = 4096;
    private final List<String> extraGlobal = new ArrayList<>();
    private final List<String> extraDefaults = new ArrayList<>();
    private final List<String> extraBackend = new ArrayList<>();

    private Builder(String socket) {
      HaproxyRuntimeApi.of(socket);
      this.socket = requireLine(socket.strip());
    }

    /** A comment line at the top of the file. */
    public Builder header(String line) {
      header.add(requireLine(line));
      return this;
    }

    /** The address the frontend and the stats page bind. */
    public Builder bindAddress(String address) {
      this.bindAddress = requireLine(address);
      return this;
    }

    public Builder frontendPort(int port) {
      this.frontendPort = requirePort(port);
      return this;
    }

    public Builder statsPort(int port) {
      this.statsPort = requirePort(port);
      return this;
    }

    /**
     * A backend holding one server per target, named by the target's id; added to when named again.
     * Without a pool map, the first backend is the frontend's default.
     */
    public Builder backend(String name, List<Target> servers) {
      HaproxyRuntimeApi.requireName("backend", name);
      servers.forEach(target -> server(name, target));
      backends.computeIfAbsent(name, n -> new ArrayList<>());
      if (defaultBackend == null) {
        defaultBackend = name;
      }
      return this;
    }

    /** One server in {@code backend}, named by the target's id. */
    public Builder server(String backend, Target target) {
      HaproxyRuntimeApi.requireName("backend", backend);
      HaproxyRuntimeApi.requireName("server", target.id());
      backends.computeIfAbsent(backend, n -> new ArrayList<>()).add(target);
      if (defaultBackend == null) {
        defaultBackend = backend;
      }
      return this;
    }

    /** Routes the frontend by the entry {@code key} of map {@code file}, starting at a backend. */
    public Builder poolMap(String file, String key, String initialBackend) {
      HaproxyRuntimeApi.requireMapName(file);
      HaproxyRuntimeApi.requireName("map key", key);
      HaproxyRuntimeApi.requireName("backend", initialBackend);
      this.poolMap = new PoolMap(requireLine(file), key, initialBackend);
      return this;
    }

    /** Persistence cookie {@value #STICKY_COOKIE} naming the server; default off. */
    public Builder stickySessions(boolean sticky) {
      this.stickySessions = sticky;
      return this;
    }

    /** The path HAProxy's health checks GET, expecting 200; default {@code /health}. */
    public Builder healthCheckPath(String path) {
      if (path == null || !path.startsWith("/") || path.chars().anyMatch(Character::isWhitespace)) {
        throw new ConfigurationException(
            "haproxy: health check path must start with / and hold no spaces: " + path);
      }
      this.healthCheckPath = path;
      return this;
    }

    /** Global {@code maxconn}; default 4096. */
    public Builder maxconn(int maxconn) {
      if (maxconn <= 0) {
        throw new IllegalArgumentException("maxconn must be positive");
      }
      this.maxconn = maxconn;
      return this;
    }

    /** An extra line for the {@code global} section. */
    public Builder extraGlobal(String line) {
      extraGlobal.add(requireLine(line));
      return this;
    }

    /** An extra line for the {@code defaults} section. */
    public Builder extraDefaults(String line) {
      extraDefaults.add(requireLine(line));
      return this;
    }

    /** An extra line for every backend. */
    public Builder extraBackend(String line) {
      extraBackend.add(requireLine(line));
      return this;
    }

    /**
     * @throws ConfigurationException when no backend is named, or the pool map starts at a backend
     *     the config does not have
     */
    public HaproxyConfig build() {
      if (backends.isEmpty()) {
        throw new ConfigurationException("haproxy: the config names no backend");
      }
      if (poolMap != null && !backends.containsKey(poolMap.initialBackend())) {
        throw new ConfigurationException(
            "haproxy: the pool map starts at backend '"
                + poolMap.initialBackend()
                + "', which the config does not have");
      }
      return new HaproxyConfig(this);
    }

    private static int requirePort(int port) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      return port;
    }

    private static String requireLine(String text) {
      if (text == null || !NO_LINE_BREAK.matcher(text).matches()) {
        throw new IllegalArgumentException("config text must be one line: " + text);
      }
      return text;
    }
  }
}
