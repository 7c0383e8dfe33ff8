package dev.sluice.api.cli;

import com.codahale.metrics.MetricRegistry;
import dev.sluice.activities.StandardProviders;
import dev.sluice.api.SluiceConfiguration;
import dev.sluice.api.codec.CodecEndpoint;
import dev.sluice.ledger.Ledger;
import dev.sluice.worker.SluiceWorker;
import dev.sluice.worker.TemporalBackend;
import dev.sluice.worker.TemporalSettings;
import dev.sluice.worker.metrics.MetricsEndpoint;
import io.dropwizard.core.cli.ConfiguredCommand;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.db.ManagedDataSource;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import net.sourceforge.argparse4j.inf.Namespace;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code sluice worker CONFIG}: a standalone worker, as many as you like, against the same Temporal
 * and ledger as the API. With the {@code embedded} backend it connects to the API process's
 * embedded server ({@code 127.0.0.1:embeddedPort}) rather than starting its own. Stops gracefully
 * on SIGTERM/SIGINT, letting running activities finish. With {@code worker.metricsPort} set it
 * serves its activity durations and JVM figures at {@code /metrics} on that port.
 */
public class WorkerCommand extends ConfiguredCommand<SluiceConfiguration> {

  private static final Logger LOG = LoggerFactory.getLogger(WorkerCommand.class);

  public WorkerCommand() {
    super("worker", "Runs a Temporal worker for Sluice's workflows and activities");
  }

  @Override
  protected void run(
      Bootstrap<SluiceConfiguration> bootstrap, Namespace namespace, SluiceConfiguration config)
      throws Exception {
    TemporalSettings temporal = config.getTemporal();
    if (temporal.getBackend() == TemporalSettings.Backend.EMBEDDED) {
      temporal.setBackend(TemporalSettings.Backend.REMOTE);
      temporal.setAddress("127.0.0.1:" + temporal.getEmbeddedPort());
    }
    Path home = Path.of(config.getHome()).toAbsolutePath().normalize();
    ManagedDataSource dataSource =
        config.ledgerDatabase().build(new MetricRegistry(), "ledger-worker");
    Ledger.migrate(dataSource);
    temporal.getEncryption().setUiCodecEndpoint(CodecEndpoint.of(config));
    TemporalBackend backend = TemporalBackend.open(temporal, home);
    PrometheusRegistry metrics = new PrometheusRegistry();
    JvmMetrics.builder().register(metrics);
    Integer metricsPort = config.getWorker().getMetricsPort();
    MetricsEndpoint endpoint =
        metricsPort == null ? null : MetricsEndpoint.start("0.0.0.0", metricsPort, metrics);
    if (endpoint != null) {
      LOG.info("Worker metrics at http://0.0.0.0:{}/metrics", endpoint.port());
    }
    SluiceWorker worker =
        SluiceWorker.start(
            backend.client(),
            temporal.getTaskQueue(),
            StandardProviders.registry(),
            new Ledger(
                Jdbi.create(dataSource),
                Ledger.objectMapper(),
                Clock.systemUTC(),
                config.getCircuitBreaker().policy()),
            config.getMigrations().build(),
            metrics);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  LOG.info("Stopping the worker");
                  worker.close();
                  backend.close();
                  if (endpoint != null) {
                    endpoint.close();
                  }
                  try {
                    dataSource.stop();
                  } catch (Exception e) {
                    LOG.warn("Closing the ledger's connections failed", e);
                  }
                  stopped.countDown();
                },
                "sluice-worker-shutdown"));
    stopped.await();
  }
}
