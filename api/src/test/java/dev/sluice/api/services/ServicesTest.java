package dev.sluice.api.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.activities.StandardProviders;
import dev.sluice.api.errors.ApiException;
import dev.sluice.ledger.Ledger;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.model.Target;
import java.util.List;
import java.util.Map;
import org.h2.jdbcx.JdbcConnectionPool;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** {@link Services} over a real (in-memory) ledger: views, history, circuit and HAProxy config. */
class ServicesTest {

  JdbcConnectionPool pool;
  Ledger ledger;
  Services services;

  @BeforeEach
  void ledger() {
    pool = JdbcConnectionPool.create("jdbc:h2:mem:services-" + System.nanoTime(), "sa", "");
    Ledger.migrate(pool);
    ledger = new Ledger(Jdbi.create(pool));
    // Nothing here checks a definition, so the mapper needs no provider registry.
    services = new Services(ledger, new ServiceMapper(null), StandardProviders.registry());
  }

  @AfterEach
  void close() {
    pool.dispose();
  }

  static ServiceDefinition service(String name, String router) {
    return new ServiceDefinition(
        name,
        List.of(new Target("t1", "127.0.0.1", 9101, null)),
        new ProviderRef(router, Map.of("socket", "/tmp/none.sock", "backend", "app")),
        ProviderRef.of("local-process"),
        null,
        "rolling",
        null);
  }

  static void assertStatus(int status, Executable call) {
    assertThatThrownBy(call::execute)
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(status));
  }

  @Test
  void anUnknownServiceIsNotFoundWhateverIsAsked() {
    assertStatus(404, () -> services.get("ghost"));
    assertStatus(404, () -> services.history("ghost"));
    assertStatus(404, () -> services.circuit("ghost"));
    assertStatus(404, () -> services.routerFile("ghost", "haproxy.cfg"));
  }

  @Test
  void aStoredServiceLinksToItsHistoryAndDeployments() {
    ledger.putService(service("shop", "haproxy"), "ci");

    ServiceView view = services.get("shop");

    assertThat(view.definition().fleet()).hasSize(1);
    assertThat(view.links())
        .isEqualTo(
            Map.of(
                "self", "/api/v1/services/shop",
                "history", "/api/v1/services/shop/history",
                "deployments", "/api/v1/deployments?service=shop"));
    assertThat(services.list().services()).extracting(ServiceView::name).containsExactly("shop");
  }

  @Test
  void aServiceThatNeverRanHasNoVersionsAndAClosedCircuit() {
    ledger.putService(service("shop", "haproxy"), "ci");

    ServiceHistory history = services.history("shop");
    CircuitView circuit = services.circuit("shop");

    assertThat(history.current()).isNull();
    assertThat(history.previous()).isNull();
    assertThat(history.versions()).isEmpty();
    assertThat(circuit.open()).isFalse();
    assertThat(circuit.blockedUntil()).isNull();
  }

  @Test
  void anHaproxyConfigIsRenderedForHaproxyRoutersOnly() {
    ledger.putService(service("shop", "haproxy"), "ci");
    ledger.putService(service("cloud", "elbv2"), "ci");

    assertThat(services.routerFile("shop", "haproxy.cfg")).contains("backend app").contains("t1");
    assertStatus(404, () -> services.routerFile("shop", "nginx.conf"));
    assertThatThrownBy(() -> services.routerFile("cloud", "haproxy.cfg"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(422);
              assertThat(e.body().field()).isEqualTo("trafficRouter.type");
              assertThat(e.body().message())
                  .isEqualTo(
                      "trafficRouter.type: is \"elbv2\"; haproxy.cfg is rendered for"
                          + " trafficRouter type \"haproxy\" only");
            });
  }
}
