package dev.sluice.api.deployments;

import dev.sluice.ledger.BeginResult;
import dev.sluice.ledger.Ledger;
import dev.sluice.ledger.NewDeployment;
import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.RollingOptions;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.model.Target;
import java.util.List;
import java.util.Map;
import org.h2.jdbcx.JdbcConnectionPool;
import org.jdbi.v3.core.Jdbi;

/** An in-memory ledger holding one service, {@code shop}, for the deployments' unit tests. */
final class LedgerFixture implements AutoCloseable {

  static final ServiceDefinition SHOP =
      new ServiceDefinition(
          "shop",
          List.of(
              new Target("t1", "127.0.0.1", 9101, null), new Target("t2", "127.0.0.1", 9102, null)),
          new ProviderRef("haproxy", Map.of("socket", "/tmp/none.sock", "backend", "app")),
          new ProviderRef("local-process", Map.of("sampleAppJar", "/tmp/none.jar")),
          null,
          "rolling",
          null);

  final JdbcConnectionPool pool =
      JdbcConnectionPool.create("jdbc:h2:mem:deployments-" + System.nanoTime(), "sa", "");
  final Ledger ledger;

  LedgerFixture() {
    Ledger.migrate(pool);
    ledger = new Ledger(Jdbi.create(pool));
    ledger.putService(SHOP, "ci");
  }

  /** Records a deployment of shop as the API does before starting its workflow. */
  String recorded(String id, String releaseId) {
    return recorded(id, releaseId, SHOP);
  }

  /** Records a deployment of {@code service} (shop with another fleet, say). */
  String recorded(String id, String releaseId, ServiceDefinition service) {
    DeploymentRequest request =
        DeploymentRequest.builder()
            .deploymentId(id)
            .service(service)
            .version("2.0.0")
            .strategy("rolling")
            .rolling(RollingOptions.DEFAULT)
            .requestedBy("ci")
            .build();
    BeginResult begun =
        ledger.begin(
            releaseId == null
                ? NewDeployment.of(request, null, "fp", null)
                : NewDeployment.of(request, null, "fp", null, releaseId));
    return ((BeginResult.Created) begun).deployment().id();
  }

  @Override
  public void close() {
    pool.dispose();
  }
}
