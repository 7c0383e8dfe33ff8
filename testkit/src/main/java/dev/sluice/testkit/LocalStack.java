package dev.sluice.testkit;

import dev.sluice.activities.ProviderRegistry;
import dev.sluice.activities.StandardProviders;
import dev.sluice.activities.deploy.localprocess.LocalFleet;
import dev.sluice.activities.traffic.haproxy.HaproxyInstance;
import dev.sluice.activities.traffic.haproxy.HaproxyRouter;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
import dev.sluice.ports.Deployer;
import dev.sluice.ports.Heartbeat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Everything Sluice needs on one machine, for real: a fleet of sample-app processes at a first
 * version, HAProxy in front of them, and the Sluice server (embedded Temporal, H2 ledger, worker)
 * in this JVM. The demo, the end-to-end tests and the benchmarks all run on it. Closing it stops
 * every process it started.
 *
 * <p>The server is handed in ({@code SluiceApplication::startServer}) rather than called: api's own
 * tests run on this stack, so the testkit sits below the api module and cannot name it.
 */
public final class LocalStack implements AutoCloseable {

  public static final String SERVICE = "checkout";

  private static final ProviderRegistry REGISTRY = StandardProviders.registry();

  private final Options options;
  private final List<Target> targets = new ArrayList<>();
  private final Path fleetDir;
  private final Path behaviorFile;
  private HaproxyInstance haproxy;
  private final Server serverStarter;
  private AutoCloseable server;
  private SluiceClient client;
  private int apiPort;
  private int temporalPort;
  private int temporalUiPort;

  /** Starts a Sluice server in this JVM on a configuration file; closing the result stops it. */
  @FunctionalInterface
  public interface Server {
    AutoCloseable start(Path configFile) throws Exception;
  }

  /**
   * What to start.
   *
   * @param serverConfig extra YAML appended to the generated server configuration, or null
   * @param startServer false to start only the fleet and HAProxy (a test runs its own server)
   * @param pools split the fleet into a blue (live) and a green pool, each its own HAProxy backend
   *     chosen through a map, for blue-green deployments
   * @param durableTemporal the server runs Temporal's dev server (history in {@code
   *     workDir/temporal.db}, the Temporal UI on a free port) instead of the in-memory one
   * @param deployer the deployer that starts the fleet and that the service definition names; null
   *     for {@code local-process} on {@code workDir/fleet}
   * @param targetIds the targets' ids, one per target; null for {@code t1} … {@code tN} (a fleet
   *     behind a load balancer that knows its servers by instance id names them so)
   * @param targetHosts the targets' hosts, one per target; null for {@code 127.0.0.1} each (a fleet
   *     registered in an {@code ip} target group, each target known by its own loopback address)
   */
  public record Options(
      Path workDir,
      Path sampleAppJar,
      int targets,
      String initialVersion,
      Map<String, String> behavior,
      String serverConfig,
      boolean startServer,
      boolean pools,
      boolean durableTemporal,
      ProviderRef deployer,
      List<String> targetIds,
      List<String> targetHosts) {

    public static Options defaults(Path workDir, Path sampleAppJar) {
      return new Options(
          workDir,
          sampleAppJar,
          4,
          "1.0.0",
          Map.of("3.0.0.healthy", "false"),
          null,
          true,
          false,
          false,
          null,
          null,
          null);
    }

    public Options withServerConfig(String yaml) {
      return edit(o -> o.serverConfig = yaml);
    }

    public Options withPools() {
      return edit(o -> o.pools = true);
    }

    public Options withBehavior(Map<String, String> versions) {
      return edit(o -> o.behavior = versions);
    }

    /** The fleet started and deployed by {@code deployer} instead of {@code local-process}. */
    public Options withDeployer(ProviderRef deployer) {
      return edit(o -> o.deployer = deployer);
    }

    public Options withoutServer() {
      return edit(o -> o.startServer = false);
    }

    /**
     * The server on Temporal's dev server, whose history outlives it ({@link #durableTemporal}).
     */
    public Options withDurableTemporal() {
      return edit(o -> o.durableTemporal = true);
    }

    /** A fleet of these targets, by id, instead of {@code t1} … {@code tN}. */
    public Options withTargetIds(List<String> ids) {
      return edit(
          o -> {
            o.targetIds = List.copyOf(ids);
            o.targets = ids.size();
          });
    }

    /** Targets on these hosts (loopback addresses such as {@code 127.0.0.2}), one per target. */
    public Options withTargetHosts(List<String> hosts) {
      return edit(
          o -> {
            o.targetHosts = List.copyOf(hosts);
            o.targets = hosts.size();
          });
    }

    private Options edit(Consumer<Draft> change) {
      Draft draft = new Draft(this);
      change.accept(draft);
      return draft.options();
    }

    /** Options being changed by one wither. */
    private static final class Draft {
      private final Path workDir;
      private final Path sampleAppJar;
      private int targets;
      private final String initialVersion;
      private Map<String, String> behavior;
      private String serverConfig;
      private boolean startServer;
      private boolean pools;
      private boolean durableTemporal;
      private ProviderRef deployer;
      private List<String> targetIds;
      private List<String> targetHosts;

      Draft(Options o) {
        workDir = o.workDir;
        sampleAppJar = o.sampleAppJar;
        targets = o.targets;
        initialVersion = o.initialVersion;
        behavior = o.behavior;
        serverConfig = o.serverConfig;
        startServer = o.startServer;
        pools = o.pools;
        durableTemporal = o.durableTemporal;
        deployer = o.deployer;
        targetIds = o.targetIds;
        targetHosts = o.targetHosts;
      }

      Options options() {
        return new Options(
            workDir,
            sampleAppJar,
            targets,
            initialVersion,
            behavior,
            serverConfig,
            startServer,
            pools,
            durableTemporal,
            deployer,
            targetIds,
            targetHosts);
      }
    }
  }

  private LocalStack(Options options, Server serverStarter) {
    this.options = options;
    this.serverStarter = serverStarter;
    this.fleetDir = options.workDir().resolve("fleet");
    this.behaviorFile = options.workDir().resolve("versions.properties");
  }

  /**
   * Starts the fleet and HAProxy only ({@link Options#withoutServer}): the caller runs its own
   * server.
   */
  public static LocalStack start(Options options) throws Exception {
    if (options.startServer()) {
      throw new IllegalArgumentException(
          "this stack starts a Sluice server: start(options, SluiceApplication::startServer)");
    }
    return start(options, null);
  }

  /** Starts fleet, HAProxy and (unless told not to) the Sluice server, with {@code server}. */
  public static LocalStack start(Options options, Server server) throws Exception {
    LocalStack stack = new LocalStack(options, server);
    try {
      stack.startAll();
      return stack;
    } catch (Exception | Error e) {
      stack.close();
      throw e;
    }
  }

  private void startAll() throws Exception {
    if (!Files.isRegularFile(options.sampleAppJar())) {
      throw new IllegalStateException(
          "sample-app jar not found at "
              + options.sampleAppJar()
              + "; build it with ./mvnw -pl sample-app package");
    }
    Files.createDirectories(options.workDir());
    // A previous run killed outright may have left instances: stop them before reusing ports.
    LocalFleet.stopAll(fleetDir);
    writeBehavior();
    for (int i = 1; i <= options.targets(); i++) {
      String pool = options.pools() ? (i <= options.targets() / 2 ? "blue" : "green") : null;
      String id = options.targetIds() == null ? "t" + i : options.targetIds().get(i - 1);
      String host = options.targetHosts() == null ? "127.0.0.1" : options.targetHosts().get(i - 1);
      targets.add(new Target(id, host, freePort(), pool));
    }
    Deployer deployer = deployer();
    for (Target target : targets) {
      Deployer.DeployResult result =
          deployer.deploy(
              target, options.initialVersion(), "bootstrap/" + target.id(), Heartbeat.NONE);
      if (!result.ok()) {
        throw new IllegalStateException("could not start " + target.id() + ": " + result.detail());
      }
    }
    HaproxyInstance.Builder router = HaproxyInstance.builder(options.workDir().resolve("haproxy"));
    if (options.pools()) {
      Map<String, List<Target>> byPool = new LinkedHashMap<>();
      for (Target target : targets) {
        byPool.computeIfAbsent(target.pool(), p -> new ArrayList<>()).add(target);
      }
      router.pools(byPool).activePool("blue");
    } else {
      router.targets(targets);
    }
    haproxy = router.build().start();
    awaitServersUp();
    if (options.startServer()) {
      apiPort = freePort();
      temporalUiPort = options.durableTemporal() ? freePort() : 0;
      temporalPort = freePort();
      Path config = writeServerConfig(apiPort, freePort(), temporalPort);
      server = serverStarter.start(config);
      client = new SluiceClient(URI.create("http://127.0.0.1:" + apiPort), "demo");
    }
  }

  /**
   * HAProxy starts every server DOWN until its checks pass; traffic sent before that gets "no
   * server available". Returns once HAProxy reports every target UP.
   */
  private void awaitServersUp() throws InterruptedException {
    HaproxyRouter router = HaproxyRouter.fromRef(haproxy.routerRef());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      List<String> down =
          router.stats(targets).stream()
              .filter(s -> !s.status().startsWith("UP"))
              .map(s -> s.targetId() + " " + s.status())
              .toList();
      if (down.isEmpty()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("HAProxy does not report these targets UP: " + down);
      }
      // HAProxy's checks run every 500 ms; there is nothing to wait on but its stats.
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  private void writeBehavior() throws IOException {
    StringBuilder text = new StringBuilder("# per-version behaviour of sample-app\n");
    options.behavior().forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    Files.writeString(behaviorFile, text.toString());
  }

  private Path writeServerConfig(int port, int adminPort, int temporalPort) throws IOException {
    Path dir = options.workDir().toAbsolutePath();
    String yaml =
        """
        server:
          applicationConnectors: [{type: http, bindHost: 127.0.0.1, port: %d}]
          adminConnectors: [{type: http, bindHost: 127.0.0.1, port: %d}]
          requestLog:
            appenders: []
        home: %s
        database:
          driverClass: org.h2.Driver
          url: "%s"
          user: sa
          password: ""
        temporal:
        %s
        logging:
          level: INFO
          loggers: {io.temporal: WARN, io.grpc: WARN}
          appenders: [{type: file, currentLogFilename: %s, archive: false}]
        """
            .formatted(port, adminPort, dir, ledgerUrl(), temporal(temporalPort, dir), serverLog());
    if (options.serverConfig() != null) {
      yaml = yaml + options.serverConfig();
    }
    Path file = options.workDir().resolve("sluice.yml");
    Files.writeString(file, yaml);
    return file;
  }

  /** The {@code temporal:} block's lines: in memory, or the dev server with its file and UI. */
  private String temporal(int port, Path dir) {
    if (!options.durableTemporal()) {
      return "  backend: embedded\n  embeddedPort: " + port;
    }
    return String.join(
        "\n",
        "  backend: dev",
        "  address: 127.0.0.1:" + port,
        "  uiPort: " + temporalUiPort,
        "  devDbFile: " + dir.resolve("temporal.db"));
  }

  /** {@code host:port} of the server's Temporal frontend, embedded or the dev server's. */
  public String temporalAddress() {
    return "127.0.0.1:" + temporalPort;
  }

  /** The server's H2 ledger; {@code AUTO_SERVER}, so a test may connect while the server runs. */
  public String ledgerUrl() {
    return "jdbc:h2:file:%s/ledger;AUTO_SERVER=TRUE;LOCK_TIMEOUT=10000;WRITE_DELAY=0"
        .formatted(options.workDir().toAbsolutePath());
  }

  /** The server's log file. */
  public Path serverLog() {
    return options.workDir().toAbsolutePath().resolve("sluice.log");
  }

  /** The Temporal UI of a stack with {@link Options#durableTemporal}; null for one in memory. */
  public String temporalUi() {
    return temporalUiPort == 0 ? null : "http://127.0.0.1:" + temporalUiPort;
  }

  /** The deployer's settings for this fleet: the one the options name, or local-process. */
  public ProviderRef deployerRef() {
    if (options.deployer() != null) {
      return options.deployer();
    }
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("workDir", fleetDir.toAbsolutePath().toString());
    settings.put("sampleAppJar", options.sampleAppJar().toAbsolutePath().toString());
    settings.put("behaviorFile", behaviorFile.toAbsolutePath().toString());
    settings.put("startTimeout", "20s");
    return new ProviderRef("local-process", settings);
  }

  /**
   * The service definition to PUT: this fleet behind this HAProxy, health checks fast enough for a
   * demo (probe every 500 ms, 3 in a row, give up after 10 s) and a 2 s pause between batches.
   */
  public Map<String, Object> serviceDefinition() {
    List<Map<String, Object>> fleet = new ArrayList<>();
    for (Target t : targets) {
      Map<String, Object> target = new LinkedHashMap<>();
      target.put("id", t.id());
      target.put("host", t.host());
      target.put("port", t.port());
      if (t.pool() != null) {
        target.put("pool", t.pool());
      }
      fleet.add(target);
    }
    ProviderRef router = haproxy.routerRef();
    ProviderRef deployer = deployerRef();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("fleet", fleet);
    body.put("trafficRouter", Map.of("type", router.type(), "settings", router.settings()));
    body.put("deployer", Map.of("type", deployer.type(), "settings", deployer.settings()));
    body.put(
        "healthCheck",
        Map.of(
            "path", "/health",
            "jsonField", "status",
            "jsonValue", "ok",
            "consecutiveSuccesses", 3,
            "interval", "500ms",
            "timeout", "10s"));
    body.put("defaultStrategy", "rolling");
    body.put(
        "rolling", Map.of("batchSize", "25%", "pauseBetweenBatches", "2s", "drainTimeout", "10s"));
    return body;
  }

  public List<Target> targets() {
    return List.copyOf(targets);
  }

  public HaproxyInstance haproxy() {
    return haproxy;
  }

  public URI frontend() {
    return URI.create(haproxy.frontendUrl() + "/");
  }

  public SluiceClient client() {
    return client;
  }

  public int apiPort() {
    return apiPort;
  }

  public Path fleetDir() {
    return fleetDir;
  }

  public Path deployerLog() {
    return fleetDir.resolve("deployer.log");
  }

  public Path workDir() {
    return options.workDir();
  }

  /** What each target runs, as the deployer sees it. */
  public Map<String, String> versions() {
    Deployer deployer = deployer();
    Map<String, String> versions = new LinkedHashMap<>();
    for (Target target : targets) {
      versions.put(target.id(), deployer.describe(target).version());
    }
    return versions;
  }

  @Override
  public void close() {
    List<Throwable> problems = new ArrayList<>();
    if (server != null) {
      try {
        server.close();
      } catch (Exception e) {
        problems.add(e);
      }
    }
    if (haproxy != null) {
      try {
        haproxy.close();
      } catch (RuntimeException e) {
        problems.add(e);
      }
    }
    try {
      LocalFleet.stopAll(fleetDir);
    } catch (RuntimeException e) {
      problems.add(e);
    }
    if (!problems.isEmpty()) {
      IllegalStateException failure = new IllegalStateException("cleanup failed: " + problems);
      problems.forEach(failure::addSuppressed);
      throw failure;
    }
  }

  private Deployer deployer() {
    return REGISTRY.deployer(deployerRef());
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
