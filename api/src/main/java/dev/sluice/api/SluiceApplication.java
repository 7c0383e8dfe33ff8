package dev.sluice.api;

import dev.sluice.activities.ProviderRegistry;
import dev.sluice.activities.StandardProviders;
import dev.sluice.activities.notify.NotificationDispatcher;
import dev.sluice.activities.notify.WebhookSender;
import dev.sluice.api.analysis.AnalysisResource;
import dev.sluice.api.analysis.OfflineJudge;
import dev.sluice.api.audit.AuditResource;
import dev.sluice.api.auth.ActorFilter;
import dev.sluice.api.auth.Caller;
import dev.sluice.api.auth.Role;
import dev.sluice.api.auth.TokenLookup;
import dev.sluice.api.auth.Tokens;
import dev.sluice.api.auth.TokensResource;
import dev.sluice.api.cli.HaproxyConfigCommand;
import dev.sluice.api.cli.SluiceCheckCommand;
import dev.sluice.api.cli.StopInstancesCommand;
import dev.sluice.api.cli.WorkerCommand;
import dev.sluice.api.codec.CodecCors;
import dev.sluice.api.codec.CodecEndpoint;
import dev.sluice.api.codec.CodecResource;
import dev.sluice.api.codec.CodecSession;
import dev.sluice.api.dashboard.DashboardResource;
import dev.sluice.api.deployments.DeploymentResource;
import dev.sluice.api.deployments.Deployments;
import dev.sluice.api.deployments.DeploymentsResource;
import dev.sluice.api.deployments.ServiceRollbackResource;
import dev.sluice.api.errors.ApiExceptionMapper;
import dev.sluice.api.errors.BodyLimitFilter;
import dev.sluice.api.errors.BodyTooLargeMapper;
import dev.sluice.api.errors.BoundedJsonFactory;
import dev.sluice.api.errors.JsonErrorHandler;
import dev.sluice.api.errors.JsonExceptionMapper;
import dev.sluice.api.errors.UnexpectedExceptionMapper;
import dev.sluice.api.errors.WebApplicationExceptionMapper;
import dev.sluice.api.flags.FlagRollouts;
import dev.sluice.api.flags.FlagService;
import dev.sluice.api.flags.FlagsResource;
import dev.sluice.api.flags.SnapshotWatcher;
import dev.sluice.api.health.TemporalHealthCheck;
import dev.sluice.api.metrics.SluiceMetrics;
import dev.sluice.api.migrations.DualWrites;
import dev.sluice.api.migrations.DualWritesResource;
import dev.sluice.api.migrations.Migrations;
import dev.sluice.api.migrations.MigrationsResource;
import dev.sluice.api.openapi.OpenApiResource;
import dev.sluice.api.releases.Releases;
import dev.sluice.api.releases.ReleasesResource;
import dev.sluice.api.services.ServiceMapper;
import dev.sluice.api.services.ServiceResource;
import dev.sluice.api.services.Services;
import dev.sluice.api.services.ServicesResource;
import dev.sluice.api.startup.QuietRequestLog;
import dev.sluice.api.startup.StartupReport;
import dev.sluice.cli.SluiceCli;
import dev.sluice.ledger.Ledger;
import dev.sluice.worker.SluiceWorker;
import dev.sluice.worker.TemporalBackend;
import dev.sluice.worker.TemporalSettings;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.cli.ServerCommand;
import io.dropwizard.core.server.AbstractServerFactory;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.db.ManagedDataSource;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jdbi3.JdbiFactory;
import io.dropwizard.lifecycle.Managed;
import io.temporal.client.WorkflowClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import net.sourceforge.argparse4j.inf.Namespace;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.LifeCycle;
import org.jdbi.v3.core.Jdbi;

/**
 * Sluice's API process: REST resources over the ledger and Temporal, and in the dev profile a
 * worker too. {@code run()} is the one place that wires things.
 */
public class SluiceApplication extends Application<SluiceConfiguration> {

  /**
   * The server's commands ({@code server}, {@code worker}, {@code check}, {@code judge}, …) run
   * through Dropwizard; the operators' commands ({@code deploy}, {@code get}, {@code promote}, …),
   * clients of a running server, through {@link SluiceCli}.
   */
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && SluiceCli.handles(args[0])) {
      SluiceCli.main(args, new OfflineJudge());
      return;
    }
    new SluiceApplication().run(args);
  }

  private volatile Consumer<Server> onServerStarted = server -> {};

  /** A Sluice server running in this JVM (demo, benchmarks, tests); close stops it. */
  public record Running(Server jetty) implements AutoCloseable {
    @Override
    public void close() {
      try {
        jetty.stop();
      } catch (Exception e) {
        throw new IllegalStateException("stopping the Sluice server failed", e);
      }
    }
  }

  /**
   * Runs {@code server CONFIG} in this JVM and returns once it serves, as the demo and the
   * benchmarks need: one process, one log, no fork.
   */
  public static Running startServer(Path configFile) throws Exception {
    SluiceApplication app = new SluiceApplication();
    Bootstrap<SluiceConfiguration> bootstrap = new Bootstrap<>(app);
    app.initialize(bootstrap);
    AtomicReference<Server> started = new AtomicReference<>();
    app.onServerStarted = started::set;
    new ServerCommand<>(app).run(bootstrap, new Namespace(Map.of("file", configFile.toString())));
    if (started.get() == null) {
      throw new IllegalStateException("the Sluice server did not start; see its log");
    }
    return new Running(started.get());
  }

  @Override
  public String getName() {
    return "sluice";
  }

  /** Dropwizard's {@code server}, and a {@code check} that also reads the encryption keys. */
  @Override
  protected void addDefaultCommands(Bootstrap<SluiceConfiguration> bootstrap) {
    bootstrap.addCommand(new ServerCommand<>(this));
    bootstrap.addCommand(new SluiceCheckCommand(this));
  }

  @Override
  public void initialize(Bootstrap<SluiceConfiguration> bootstrap) {
    // Every body is read through a parser that counts list items and string lengths as it goes.
    bootstrap.setObjectMapper(Jackson.newObjectMapper(new BoundedJsonFactory()));
    bootstrap.setConfigurationSourceProvider(
        new SubstitutingSourceProvider(
            bootstrap.getConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(false)));
    bootstrap.addCommand(new WorkerCommand());
    bootstrap.addCommand(new HaproxyConfigCommand());
    bootstrap.addCommand(new StopInstancesCommand());
  }

  @Override
  public void run(SluiceConfiguration config, Environment environment) throws Exception {
    environment.lifecycle().addServerLifecycleListener(server -> onServerStarted.accept(server));
    environment.lifecycle().addEventListener(new QuietRequestLog());
    if (config.getServerFactory() instanceof AbstractServerFactory server) {
      // Sluice maps every error to its own JSON body (field and reason); Dropwizard's defaults
      // would answer some of them with bodies that name no field.
      server.setRegisterDefaultExceptionMappers(false);
    }
    ApiJson.configure(environment.getObjectMapper());
    ((BoundedJsonFactory) environment.getObjectMapper().getFactory())
        .limit(config.getLimits().getMaxItems(), config.getLimits().getMaxStringLength());
    // Jetty's own errors (a bad path, a bad header, an unknown path) on both connectors answer
    // in the API's JSON error shape, not as Jetty's HTML page.
    JsonErrorHandler errors = new JsonErrorHandler(environment.getObjectMapper());
    environment
        .lifecycle()
        .addEventListener(
            new LifeCycle.Listener() {
              @Override
              public void lifeCycleStarting(LifeCycle event) {
                if (event instanceof Server server) {
                  server.setErrorHandler(errors);
                }
              }
            });
    Path home = Path.of(config.getHome()).toAbsolutePath().normalize();
    Files.createDirectories(home.resolve(".sluice"));

    ManagedDataSource dataSource = config.ledgerDatabase().build(environment.metrics(), "ledger");
    Ledger.migrate(dataSource);
    Jdbi jdbi = new JdbiFactory().build(environment, config.getDatabase(), dataSource, "ledger");
    Ledger ledger =
        new Ledger(
            jdbi, Ledger.objectMapper(), Clock.systemUTC(), config.getCircuitBreaker().policy());
    if (!config.getNotifications().getWebhooks().isEmpty()) {
      // Links in notifications point at publicUrl, else at the API's own address: known once
      // Jetty has bound its port, so delivery starts then.
      AtomicReference<String> ownUrl = new AtomicReference<>();
      NotificationDispatcher dispatcher =
          new NotificationDispatcher(
              ledger,
              config.getNotifications().getWebhooks(),
              new WebhookSender(),
              () -> config.getPublicUrl() != null ? config.getPublicUrl() : ownUrl.get());
      environment
          .lifecycle()
          .addServerLifecycleListener(
              server -> {
                ownUrl.set(StartupReport.apiUrl(server));
                dispatcher.start(Duration.ofSeconds(1));
              });
      environment.lifecycle().manage(managed(null, dispatcher::close));
    }

    Map<String, Caller> fromFile = tokens(config);
    TokenLookup lookup = new TokenLookup(fromFile, ledger);
    SluiceMetrics metrics = new SluiceMetrics(ledger);
    metrics.install(environment, lookup, config.getAuth().isPublicMetrics());

    // Known before the API binds its port only when the port is fixed: a dev server Sluice starts
    // learns it as its UI's codec endpoint.
    config.getTemporal().getEncryption().setUiCodecEndpoint(CodecEndpoint.of(config));
    TemporalBackend temporal = TemporalBackend.open(config.getTemporal(), home);
    environment.lifecycle().manage(managed(null, temporal::close));
    environment
        .lifecycle()
        .addServerLifecycleListener(
            new StartupReport(
                temporal,
                config.getDatabase().getUrl(),
                config.getTemporal().getBackend() == TemporalSettings.Backend.EMBEDDED));
    WorkflowClient client = temporal.client();
    ProviderRegistry providers = StandardProviders.registry();

    if (config.getWorker().isEmbedded()) {
      SluiceWorker[] worker = new SluiceWorker[1];
      environment
          .lifecycle()
          .manage(
              managed(
                  () ->
                      worker[0] =
                          SluiceWorker.start(
                              client,
                              config.getTemporal().getTaskQueue(),
                              providers,
                              ledger,
                              config.getMigrations().build(),
                              metrics.registry()),
                  () -> worker[0].close()));
    }

    ServiceMapper mapper = new ServiceMapper(providers);
    Deployments deployments =
        new Deployments(
            ledger,
            client,
            config.getTemporal().getTaskQueue(),
            temporal.searchAttributes(),
            temporal.uiUrl(),
            Clock.systemUTC(),
            mapper);
    environment.lifecycle().manage(managed(null, deployments::close));
    Services services = new Services(ledger, mapper, providers);

    var jersey = environment.jersey();
    jersey.register(new ActorFilter(lookup, ledger));
    jersey.register(new TokensResource(new Tokens(ledger, fromFile.values())));
    jersey.register(new BodyLimitFilter(config.getLimits().getMaxBodyBytes()));
    jersey.register(new BodyTooLargeMapper());
    jersey.register(new ApiExceptionMapper());
    jersey.register(new JsonExceptionMapper());
    jersey.register(new WebApplicationExceptionMapper());
    jersey.register(new UnexpectedExceptionMapper());
    jersey.register(new ServicesResource(services));
    jersey.register(new ServiceResource(services));
    jersey.register(new ServiceRollbackResource(deployments, environment.getObjectMapper()));
    jersey.register(new DeploymentsResource(deployments));
    jersey.register(new DeploymentResource(deployments, environment.getObjectMapper()));
    jersey.register(new DashboardResource());
    jersey.register(new AuditResource(ledger));
    jersey.register(new AnalysisResource());
    jersey.register(new CodecCors(CodecEndpoint.origins(config, temporal.uiUrl())));
    jersey.register(new CodecResource(temporal.encryption(), temporal.namespace()));
    jersey.register(new CodecSession());
    FlagService flagService =
        new FlagService(ledger.flagStore(), environment.getObjectMapper(), Clock.systemUTC());
    SnapshotWatcher watcher =
        new SnapshotWatcher(flagService::revision, flagService::snapshot, Duration.ofMillis(250));
    environment.lifecycle().manage(managed(null, watcher::close));
    // Parked long-polls are answered as soon as the server begins to stop: Jetty's graceful
    // shutdown waits for open requests, and these would otherwise hold it for their timeout.
    environment
        .lifecycle()
        .addEventListener(
            new LifeCycle.Listener() {
              @Override
              public void lifeCycleStopping(LifeCycle event) {
                watcher.close();
              }
            });
    environment.metrics().registerGauge("sluice.flags.snapshot.waiting", watcher::waiting);
    FlagRollouts rollouts =
        new FlagRollouts(
            flagService, ledger, client, config.getTemporal().getTaskQueue(), providers);
    jersey.register(new FlagsResource(flagService, rollouts, watcher, metrics.flagEvaluations()));
    jersey.register(
        new DualWritesResource(
            new DualWrites(
                ledger.flagStore(), ledger, client, config.getTemporal().getTaskQueue())));
    jersey.register(
        new MigrationsResource(
            new Migrations(
                config.getMigrations().build(),
                ledger,
                client,
                config.getTemporal().getTaskQueue())));
    jersey.register(
        new ReleasesResource(
            new Releases(
                deployments,
                rollouts,
                config.getMigrations().build(),
                ledger,
                client,
                config.getTemporal().getTaskQueue())));
    jersey.register(new OpenApiResource(jersey.getResourceConfig()));
    environment
        .healthChecks()
        .register("temporal", new TemporalHealthCheck(temporal.stubs(), temporal.address()));
  }

  /**
   * Token secret → caller, read from the environment or files named in the configuration; a token
   * without a role is an admin with {@code admin: true}, else an approver.
   */
  static Map<String, Caller> tokens(SluiceConfiguration config) throws IOException {
    Map<String, Caller> tokens = new HashMap<>();
    for (SluiceConfiguration.Token token : config.getAuth().getTokens()) {
      String secret = null;
      if (token.getSecretEnv() != null) {
        secret = System.getenv(token.getSecretEnv());
      } else if (token.getSecretFile() != null) {
        secret = Files.readString(Path.of(token.getSecretFile())).strip();
      }
      if (secret == null || secret.isBlank()) {
        throw new IllegalStateException(
            "auth.tokens: token '"
                + token.getName()
                + "' has no secret (set secretEnv to a non-empty environment variable or"
                + " secretFile to a readable file)");
      }
      Role role =
          token.getRole() != null
              ? Role.of(token.getRole()).orElseThrow()
              : token.isAdmin() ? Role.ADMIN : Role.APPROVER;
      tokens.put(secret, new Caller(token.getName(), role, null));
    }
    return tokens;
  }

  private static Managed managed(Runnable start, Runnable stop) {
    return new Managed() {
      @Override
      public void start() {
        if (start != null) {
          start.run();
        }
      }

      @Override
      public void stop() {
        stop.run();
      }
    };
  }
}
