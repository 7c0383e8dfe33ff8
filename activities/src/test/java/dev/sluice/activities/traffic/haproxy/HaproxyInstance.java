package dev.sluice.activities.traffic.haproxy;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real HAProxy running as a child process in front of a list of targets: renders its config
 * (through {@link HaproxyConfig}, as {@code GET /api/v1/services/{name}/haproxy.cfg} does),
 * validates it with {@code haproxy -c}, runs {@code haproxy -db} (foreground, so it stays our
 * child) and stops it on {@link #close()}. Used by adapter tests, the end-to-end tests and {@code
 * sluice demo}.
 *
 * <p>Files in the working directory: {@code haproxy.cfg}, {@code admin.sock} (runtime API, level
 * admin), {@code haproxy.log} (HAProxy's stderr: alerts, server state changes and one line per
 * request) and {@code haproxy.pid}.
 *
 * <p>The rendered config, for backend {@code app} and targets {@code a}, {@code b}:
 *
 * <pre>
 * global
 *     maxconn 4096
 *     stats socket DIR/admin.sock mode 600 level admin
 *     stats timeout 30s
 *     log stderr format iso local0 info
 * defaults
 *     mode http
 *     log global
 *     timeout connect 2s
 *     timeout client 30s
 *     timeout server 30s
 *     timeout check 2s
 *     option redispatch 1
 *     retries 3
 *     retry-on conn-failure empty-response response-timeout
 *     default-server inter 500ms fall 2 rise 2 check
 * frontend http-in
 *     bind 127.0.0.1:FRONTEND_PORT
 *     option httplog
 *     option dontlognull
 *     default_backend app
 * backend app
 *     balance roundrobin
 *     option httpchk GET /health
 *     http-check expect status 200
 *     server a HOST:PORT
 *     server b HOST:PORT
 * listen stats
 *     bind 127.0.0.1:STATS_PORT
 *     stats enable, uri /, refresh 2s; /metrics serves the Prometheus exporter when built in
 * </pre>
 *
 * <p>With {@link Builder#pools pools} (blue-green), each pool gets its own backend named {@code
 * <backend>_<pool>}, and the frontend picks the live one through a map file, {@code pools.map} in
 * the working directory, holding {@code active <backend>_<pool>} for the {@link Builder#activePool
 * initial pool}:
 *
 * <pre>
 * frontend http-in
 *     ...
 *     use_backend %[str(active),map(DIR/pools.map,app_blue)]
 * backend app_blue
 *     ... servers of pool blue
 * backend app_green
 *     ... servers of pool green
 * </pre>
 *
 * <p>With {@link Builder#stickySessions sticky sessions}, every backend gets {@code cookie SLUICE
 * insert indirect nocache} and every server {@code cookie <target id>}: HAProxy hands each client a
 * cookie naming the server that answered it and keeps sending it there.
 *
 * <p>Not thread-safe beyond {@link #start()} and {@link #close()}, which are synchronized.
 */
public final class HaproxyInstance implements AutoCloseable {

  /** What to do when the binary is missing; part of every "not found" message. */
  public static final String INSTALL_HINT =
      "install HAProxy 2.4 or later (Debian/Ubuntu: apt-get install haproxy)";

  private static final Logger log = LoggerFactory.getLogger(HaproxyInstance.class);
  private static final List<Path> WELL_KNOWN_BINARIES =
      List.of(Path.of("/usr/sbin/haproxy"), Path.of("/usr/local/sbin/haproxy"));
  // HAProxy binds "<path>.<pid>.tmp" and renames it, so the usable length is below sun_path's 108.
  private static final int MAX_SOCKET_PATH_BYTES = 90;
  private static final Pattern NO_WHITESPACE = Pattern.compile("\\S+");
  private static final String MAP_KEY = HaproxyRouter.DEFAULT_MAP_KEY;

  /** The persistence cookie {@link Builder#stickySessions} has HAProxy insert. */
  public static final String STICKY_COOKIE = HaproxyConfig.STICKY_COOKIE;

  private final Path directory;
  private final Path binary;
  private final String bindAddress;
  private final int frontendPort;
  private final int statsPort;
  private final String backend;
  private final List<Target> targets;
  private final Map<String, List<Target>> pools;
  private final String activePool;
  private final boolean stickySessions;
  private final String healthCheckPath;
  private final int maxconn;
  private final Duration startTimeout;
  private final List<String> extraGlobal;
  private final List<String> extraDefaults;
  private final List<String> extraBackend;

  private Process process;
  private Thread shutdownHook;

  private HaproxyInstance(Builder builder) {
    this.directory = builder.directory.toAbsolutePath();
    this.binary = builder.binary;
    this.bindAddress = builder.bindAddress;
    this.frontendPort = builder.frontendPort == 0 ? freePort(bindAddress) : builder.frontendPort;
    this.statsPort = builder.statsPort == 0 ? freePort(bindAddress) : builder.statsPort;
    this.backend = builder.backend;
    this.pools = copyPools(builder.pools);
    this.targets =
        pools.isEmpty()
            ? List.copyOf(builder.targets)
            : pools.values().stream().flatMap(List::stream).toList();
    this.activePool =
        pools.isEmpty()
            ? null
            : builder.activePool != null ? builder.activePool : pools.keySet().iterator().next();
    this.stickySessions = builder.stickySessions;
    this.healthCheckPath = builder.healthCheckPath;
    this.maxconn = builder.maxconn;
    this.startTimeout = builder.startTimeout;
    this.extraGlobal = List.copyOf(builder.extraGlobal);
    this.extraDefaults = List.copyOf(builder.extraDefaults);
    this.extraBackend = List.copyOf(builder.extraBackend);
  }

  /** A builder for an instance keeping its files in {@code directory}. */
  public static Builder builder(Path directory) {
    return new Builder(directory);
  }

  /**
   * Writes and validates the config, starts HAProxy and waits until both the admin socket answers
   * and the frontend port accepts connections. Server health is not awaited: servers start in
   * HAProxy's optimistic {@code UP 1/2} and settle after their first checks.
   *
   * @return this instance
   * @throws IllegalStateException when HAProxy is not installed (the message says what to install),
   *     exits early or is not ready within the start timeout (the message carries the end of its
   *     log)
   * @throws ConfigurationException when {@code haproxy -c} rejects the config (with its alerts)
   */
  public synchronized HaproxyInstance start() {
    if (process != null) {
      throw new IllegalStateException("HAProxy already started (pid " + process.pid() + ")");
    }
    Path executable = binary != null ? requireExecutable(binary) : locateBinary();
    try {
      Files.createDirectories(directory);
      stopLeftover();
      Files.deleteIfExists(socketPath());
      if (!pools.isEmpty()) {
        Files.writeString(poolMapFile(), renderPoolMap(), UTF_8);
      }
      Files.writeString(configFile(), renderConfig(), UTF_8);
      validate(executable);
      ProcessBuilder command =
          new ProcessBuilder(executable.toString(), "-f", configFile().toString(), "-db")
              .directory(directory.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
      process = command.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start HAProxy in " + directory, e);
    }
    Process started = process;
    shutdownHook = new Thread(() -> stop(started), "haproxy-shutdown-" + started.pid());
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    writePidFile(started.pid());
    try {
      awaitReady();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    log.info(
        "HAProxy {} up: frontend {}:{}, stats http://{}:{}/, socket {}",
        started.pid(),
        bindAddress,
        frontendPort,
        bindAddress,
        statsPort,
        socketPath());
    return this;
  }

  /** Stops HAProxy (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. Idempotent. */
  @Override
  public synchronized void close() {
    if (process == null) {
      return;
    }
    stop(process);
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException jvmAlreadyShuttingDown) {
      // The hook runs (or ran) anyway; nothing to undo.
    }
    deletePidFile(process.pid());
    process = null;
    shutdownHook = null;
  }

  /** Whether the HAProxy process is alive. */
  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** The HAProxy process id, when started. */
  public synchronized Optional<Long> pid() {
    return process == null ? Optional.empty() : Optional.of(process.pid());
  }

  /** The admin socket of the runtime API ({@code level admin}). */
  public Path socketPath() {
    return directory.resolve("admin.sock");
  }

  /** The port the frontend listens on, on {@link #bindAddress()}. */
  public int frontendPort() {
    return frontendPort;
  }

  /** The port of the stats page ({@code /}) and Prometheus metrics ({@code /metrics}). */
  public int statsPort() {
    return statsPort;
  }

  /** The address the frontend and stats page are bound to. */
  public String bindAddress() {
    return bindAddress;
  }

  /** {@code http://address:frontendPort}, for clients of the service behind HAProxy. */
  public String frontendUrl() {
    return "http://" + bindAddress + ":" + frontendPort;
  }

  /**
   * The backend holding one server per target; with pools, the prefix of the pools' backends
   * ({@code <backend>_<pool>}).
   */
  public String backend() {
    return backend;
  }

  /**
   * The targets as configured, one server each (server name = target id); with pools, those of
   * every pool, each carrying its pool.
   */
  public List<Target> targets() {
    return targets;
  }

  /** Pool name to its targets, each carrying its pool; empty without pools. */
  public Map<String, List<Target>> pools() {
    return pools;
  }

  /** Pool name to the backend holding its servers; empty without pools. */
  public Map<String, String> poolBackends() {
    Map<String, String> backends = new LinkedHashMap<>();
    pools.keySet().forEach(pool -> backends.put(pool, poolBackend(pool)));
    return Collections.unmodifiableMap(backends);
  }

  /** The pool the map names when HAProxy starts; {@code null} without pools. */
  public String initialActivePool() {
    return activePool;
  }

  /** The map file whose {@code active} entry names the live pool's backend. */
  public Path poolMapFile() {
    return directory.resolve("pools.map");
  }

  public Path directory() {
    return directory;
  }

  public Path configFile() {
    return directory.resolve("haproxy.cfg");
  }

  /** HAProxy's stderr: alerts, server state changes, one line per request. */
  public Path logFile() {
    return directory.resolve("haproxy.log");
  }

  /**
   * The router reference for a service definition: type {@code haproxy}, socket and backend; with
   * pools, socket, {@code backends} (pool to backend), {@code poolMap} and {@code mapKey} instead
   * of the backend.
   */
  public ProviderRef routerRef() {
    if (pools.isEmpty()) {
      return new ProviderRef(
          HaproxyRouter.TYPE, Map.of("socket", socketPath().toString(), "backend", backend));
    }
    return new ProviderRef(
        HaproxyRouter.TYPE,
        Map.of(
            "socket",
            socketPath().toString(),
            "backends",
            poolBackends(),
            "poolMap",
            poolMapFile().toString(),
            "mapKey",
            MAP_KEY));
  }

  /** A runtime API client of this instance's admin socket. */
  public HaproxyRuntimeApi runtimeApi() {
    return HaproxyRuntimeApi.of(socketPath().toString());
  }

  /** The config this instance runs, as {@link #start()} writes it. */
  public String renderConfig() {
    return config().render();
  }

  /**
   * The map file as {@link #start()} writes it: the initial pool's backend under {@code active}.
   */
  public String renderPoolMap() {
    return config().renderPoolMap();
  }

  /** This instance's settings as the config the router can drive (see {@link HaproxyConfig}). */
  private HaproxyConfig config() {
    HaproxyConfig.Builder config =
        HaproxyConfig.builder(socketPath().toString())
            .header(
                "Rendered by Sluice (HaproxyInstance) on every start: edits here are overwritten.")
            .bindAddress(bindAddress)
            .frontendPort(frontendPort)
            .statsPort(statsPort)
            .stickySessions(stickySessions)
            .healthCheckPath(healthCheckPath)
            .maxconn(maxconn);
    extraGlobal.forEach(config::extraGlobal);
    extraDefaults.forEach(config::extraDefaults);
    extraBackend.forEach(config::extraBackend);
    if (pools.isEmpty()) {
      config.backend(backend, targets);
    } else {
      pools.forEach((pool, poolTargets) -> config.backend(poolBackend(pool), poolTargets));
      config.poolMap(poolMapFile().toString(), MAP_KEY, poolBackend(activePool));
    }
    return config.build();
  }

  private String poolBackend(String pool) {
    return backend + "_" + pool;
  }

  private static Map<String, List<Target>> copyPools(Map<String, List<Target>> pools) {
    Map<String, List<Target>> copy = new LinkedHashMap<>();
    pools.forEach(
        (pool, poolTargets) ->
            copy.put(
                pool,
                poolTargets.stream()
                    .map(t -> new Target(t.id(), t.host(), t.port(), pool))
                    .toList()));
    return Collections.unmodifiableMap(copy);
  }

  private void validate(Path executable) throws IOException {
    Process check =
        new ProcessBuilder(executable.toString(), "-c", "-f", configFile().toString())
            .directory(directory.toFile())
            .redirectErrorStream(true)
            .start();
    String output = new String(check.getInputStream().readAllBytes(), UTF_8).strip();
    int exit = waitFor(check, Duration.ofSeconds(30));
    if (exit != 0) {
      String alerts =
          output.lines().filter(line -> line.contains("[ALERT]")).collect(Collectors.joining("\n"));
      throw new ConfigurationException(
          "HAProxy rejected its config "
              + configFile()
              + " (haproxy -c exited "
              + exit
              + "):\n"
              + (alerts.isEmpty() ? output : alerts));
    }
    output
        .lines()
        .filter(line -> line.contains("[WARNING]"))
        .forEach(line -> log.warn("haproxy -c {}: {}", configFile(), line));
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + startTimeout.toNanos();
    HaproxyRuntimeApi api = HaproxyRuntimeApi.of(socketPath().toString(), Duration.ofSeconds(1));
    boolean socketAnswers = false;
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "HAProxy exited with status " + process.exitValue() + " while starting; " + logTail());
      }
      if (!socketAnswers) {
        socketAnswers = answers(api);
      }
      if (socketAnswers && acceptsConnections(bindAddress, frontendPort)) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "HAProxy not ready within "
                + startTimeout.toMillis()
                + "ms (admin socket "
                + (socketAnswers ? "answers" : "silent")
                + ", frontend port "
                + frontendPort
                + " closed); "
                + logTail());
      }
      sleepQuietly(Duration.ofMillis(25));
    }
  }

  private static boolean answers(HaproxyRuntimeApi api) {
    try {
      api.execute("show info");
      return true;
    } catch (HaproxyUnavailableException notYet) {
      return false;
    }
  }

  private static boolean acceptsConnections(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 200);
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }

  private static void stop(Process process) {
    if (!process.isAlive()) {
      return;
    }
    // SIGTERM: HAProxy stops at once, closing its listeners and sessions.
    process.destroy();
    if (waitFor(process, Duration.ofSeconds(5)) == Integer.MIN_VALUE) {
      process.destroyForcibly();
      waitFor(process, Duration.ofSeconds(5));
    }
  }

  // A JVM killed without running its shutdown hooks leaves HAProxy running and holding the ports;
  // the next start in the same directory ends that leftover, recognised by its config path.
  private void stopLeftover() throws IOException {
    if (!Files.exists(pidFile())) {
      return;
    }
    String text = Files.readString(pidFile(), UTF_8).strip();
    Files.delete(pidFile());
    long pid;
    try {
      pid = Long.parseLong(text);
    } catch (NumberFormatException e) {
      return;
    }
    ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .filter(
            handle ->
                handle
                    .info()
                    .arguments()
                    .map(args -> List.of(args).contains(configFile().toString()))
                    .orElse(false))
        .ifPresent(
            leftover -> {
              log.warn("stopping leftover HAProxy {} from a previous run in {}", pid, directory);
              leftover.destroy();
              leftover.onExit().orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
              if (leftover.isAlive()) {
                leftover.destroyForcibly();
              }
            });
  }

  private Path pidFile() {
    return directory.resolve("haproxy.pid");
  }

  // Only our own: a later instance in the same directory may have written its pid since.
  private void deletePidFile(long pid) {
    try {
      if (Files.exists(pidFile()) && Files.readString(pidFile(), UTF_8).strip().equals(pid + "")) {
        Files.delete(pidFile());
      }
    } catch (IOException e) {
      log.debug("cannot delete {}", pidFile(), e);
    }
  }

  private void writePidFile(long pid) {
    try {
      Files.writeString(pidFile(), pid + "\n", UTF_8);
    } catch (IOException e) {
      log.warn("cannot write {}", pidFile(), e);
    }
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(logFile(), UTF_8);
      return "end of "
          + logFile()
          + ":\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "no log at " + logFile();
    }
  }

  /** Exit status, or {@link Integer#MIN_VALUE} when the process outlived {@code limit}. */
  private static int waitFor(Process process, Duration limit) {
    try {
      return process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)
          ? process.exitValue()
          : Integer.MIN_VALUE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Integer.MIN_VALUE;
    }
  }

  private static void sleepQuietly(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for HAProxy to start", e);
    }
  }

  private static int freePort(String bindAddress) {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(bindAddress))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on " + bindAddress, e);
    }
  }

  /** Finds {@code haproxy} on {@code PATH}, then at {@code /usr/sbin/haproxy}. */
  static Path locateBinary() {
    return locateBinary(System.getenv("PATH"), WELL_KNOWN_BINARIES)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "HAProxy not found on PATH nor at /usr/sbin/haproxy: " + INSTALL_HINT));
  }

  static Optional<Path> locateBinary(String pathVariable, List<Path> fallbacks) {
    List<Path> candidates = new ArrayList<>();
    if (pathVariable != null) {
      for (String dir : pathVariable.split(File.pathSeparator)) {
        if (!dir.isBlank()) {
          candidates.add(Path.of(dir, "haproxy"));
        }
      }
    }
    candidates.addAll(fallbacks);
    return candidates.stream()
        .filter(path -> Files.isRegularFile(path) && Files.isExecutable(path))
        .findFirst();
  }

  private static Path requireExecutable(Path binary) {
    if (!Files.isRegularFile(binary) || !Files.isExecutable(binary)) {
      throw new IllegalStateException(
          "HAProxy binary " + binary + " is missing or not executable: " + INSTALL_HINT);
    }
    return binary;
  }

  /** Settings of a {@link HaproxyInstance}; every one but the targets has a default. */
  public static final class Builder {

    private final Path directory;
    private Path binary;
    private String bindAddress = "127.0.0.1";
    private int frontendPort;
    private int statsPort;
    private String backend = "app";
    private final List<Target> targets = new ArrayList<>();
    private final Map<String, List<Target>> pools = new LinkedHashMap<>();
    private String activePool;
    private boolean stickySessions;
    private String healthCheckPath = "/health";
    private int maxconn = 4096;
    private Duration startTimeout = Duration.ofSeconds(15);
    private final List<String> extraGlobal = new ArrayList<>();
    private final List<String> extraDefaults = new ArrayList<>();
    private final List<String> extraBackend = new ArrayList<>();

    private Builder(Path directory) {
      this.directory = directory;
    }

    /** The HAProxy binary; default: {@code haproxy} on {@code PATH}, else /usr/sbin/haproxy. */
    public Builder binary(Path binary) {
      this.binary = binary;
      return this;
    }

    /** Address the frontend and stats page bind to; default {@code 127.0.0.1}. */
    public Builder bindAddress(String bindAddress) {
      this.bindAddress = requireToken("bind address", bindAddress);
      return this;
    }

    /** The frontend's port; 0 (default) picks a free one. */
    public Builder frontendPort(int port) {
      this.frontendPort = requirePort(port);
      return this;
    }

    /** The stats page's port; 0 (default) picks a free one. */
    public Builder statsPort(int port) {
      this.statsPort = requirePort(port);
      return this;
    }

    /** The backend's name; default {@code app}. */
    public Builder backend(String backend) {
      HaproxyRuntimeApi.requireName("backend", backend);
      this.backend = backend;
      return this;
    }

    /** Adds servers: one per target, named by its id, at its {@code host:port}. */
    public Builder targets(List<Target> targets) {
      for (Target target : targets) {
        HaproxyRuntimeApi.requireName("server", target.id());
        requireToken("target host", target.host());
        this.targets.add(target);
      }
      return this;
    }

    /**
     * Splits the fleet into pools (blue-green): one backend per pool, {@code <backend>_<pool>},
     * with one server per target, and a frontend that routes by a map entry to the live one. A
     * target's own pool must be {@code null} or the pool it is listed under. Instead of {@link
     * #targets}. The first pool in the map's order is live at start unless {@link #activePool}
     * names another.
     */
    public Builder pools(Map<String, List<Target>> pools) {
      pools.forEach(
          (pool, poolTargets) -> {
            HaproxyRuntimeApi.requireName("pool", pool);
            for (Target target : poolTargets) {
              HaproxyRuntimeApi.requireName("server", target.id());
              requireToken("target host", target.host());
              if (target.pool() != null && !target.pool().equals(pool)) {
                throw new IllegalArgumentException(
                    "target " + target.id() + " of pool " + target.pool() + " listed in " + pool);
              }
            }
            this.pools.put(pool, List.copyOf(poolTargets));
          });
      return this;
    }

    /** The pool the map names when HAProxy starts; default the first of {@link #pools}. */
    public Builder activePool(String pool) {
      this.activePool = pool;
      return this;
    }

    /**
     * Cookie persistence: HAProxy inserts a {@value HaproxyInstance#STICKY_COOKIE} cookie naming
     * the server that answered, and sends the client's later requests to that server while it takes
     * them. Default off.
     */
    public Builder stickySessions(boolean sticky) {
      this.stickySessions = sticky;
      return this;
    }

    /** The path HAProxy's HTTP health check requests; default {@code /health}. */
    public Builder healthCheckPath(String path) {
      if (!requireToken("health check path", path).startsWith("/")) {
        throw new IllegalArgumentException("health check path must start with '/': " + path);
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

    /** How long {@link #start()} waits for the socket and frontend; default 15 s. */
    public Builder startTimeout(Duration startTimeout) {
      this.startTimeout = startTimeout;
      return this;
    }

    /** An extra line in the {@code global} section, e.g. {@code stats socket 127.0.0.1:9999}. */
    public Builder extraGlobal(String line) {
      extraGlobal.add(requireLine(line));
      return this;
    }

    /** An extra line in the {@code defaults} section, e.g. {@code timeout server 60s}. */
    public Builder extraDefaults(String line) {
      extraDefaults.add(requireLine(line));
      return this;
    }

    /** An extra line in the backend section, e.g. {@code hash-type consistent}. */
    public Builder extraBackend(String line) {
      extraBackend.add(requireLine(line));
      return this;
    }

    /**
     * The instance, not started yet; free ports are picked now so that {@link
     * HaproxyInstance#frontendPort()} is known before {@link HaproxyInstance#start()}.
     */
    public HaproxyInstance build() {
      Path socket = directory.toAbsolutePath().resolve("admin.sock");
      if (socket.toString().getBytes(UTF_8).length > MAX_SOCKET_PATH_BYTES) {
        throw new IllegalArgumentException(
            "admin socket path "
                + socket
                + " is longer than "
                + MAX_SOCKET_PATH_BYTES
                + " bytes, too long for a Unix socket: use a shorter working directory");
      }
      if (!pools.isEmpty() && !targets.isEmpty()) {
        throw new IllegalArgumentException("give either targets or pools, not both");
      }
      if (activePool != null && !pools.containsKey(activePool)) {
        throw new IllegalArgumentException(
            "active pool " + activePool + " is not one of the pools " + pools.keySet());
      }
      pools
          .keySet()
          .forEach(pool -> HaproxyRuntimeApi.requireName("backend", backend + "_" + pool));
      if (!pools.isEmpty()) {
        HaproxyRuntimeApi.requireMapName(
            directory.toAbsolutePath().resolve("pools.map").toString());
      }
      return new HaproxyInstance(this);
    }

    private static int requirePort(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      return port;
    }

    private static String requireToken(String what, String value) {
      if (value == null || !NO_WHITESPACE.matcher(value).matches()) {
        throw new IllegalArgumentException(what + " must be one word: '" + value + "'");
      }
      return value;
    }

    private static String requireLine(String line) {
      if (line == null || line.isBlank() || line.contains("\n") || line.contains("\r")) {
        throw new IllegalArgumentException("one config line expected: '" + line + "'");
      }
      return line.strip();
    }
  }
}
