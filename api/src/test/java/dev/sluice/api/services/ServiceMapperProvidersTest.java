package dev.sluice.api.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.activities.ProviderRegistry;
import dev.sluice.activities.StandardProviders;
import dev.sluice.activities.metrics.tallystats.TallyStatsProvider;
import dev.sluice.activities.traffic.tally.TallyRouter;
import dev.sluice.api.common.ErrorBody.FieldError;
import dev.sluice.api.errors.ApiException;
import dev.sluice.model.ServiceDefinition;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A service definition is checked against whatever the registry holds: with the test-only {@code
 * tally} router registered (its default metrics {@code tally-stats}), the API accepts a watched
 * service behind it and refuses what its metrics cannot serve in the provider's own words — no API
 * class knows either adapter.
 */
class ServiceMapperProvidersTest {

  static final ProviderRegistry PROVIDERS =
      StandardProviders.registry()
          .router(TallyRouter.TYPE, TallyRouter::fromRef, TallyStatsProvider.TYPE)
          .metrics(TallyStatsProvider.TYPE, TallyStatsProvider::fromRef)
          .router("bare", TallyRouter::fromRef);

  private final ServiceMapper mapper = new ServiceMapper(PROVIDERS);

  static ServiceSpec spec(String router, Map<String, Object> more) {
    Map<String, Object> spec = new HashMap<>();
    spec.put("fleet", List.of(Map.of("id", "t1", "host", "127.0.0.1", "port", 9101)));
    spec.put("trafficRouter", Map.of("type", router, "settings", Map.of("balancer", "lb")));
    spec.put(
        "deployer",
        Map.of("type", "local-process", "settings", Map.of("sampleAppJar", "/tmp/none.jar")));
    spec.putAll(more);
    return new ObjectMapper().convertValue(spec, ServiceSpec.class);
  }

  @Test
  void aServiceBehindTheNewRouterIsWatchedOnItsDefaultMetricsWithoutNamingAProvider() {
    ServiceDefinition service =
        mapper.toModel(
            "shop", spec(TallyRouter.TYPE, Map.of("autoRollback", Map.of("window", "10m"))));

    assertThat(service.trafficRouter().type()).isEqualTo(TallyRouter.TYPE);
    assertThat(service.autoRollback()).isNotNull();
  }

  @Test
  void aMetricTheNewRoutersMetricsCannotServeIsRefusedInTheProvidersWords() {
    ApiException refused =
        catchThrowableOfType(
            ApiException.class,
            () ->
                mapper.toModel(
                    "shop",
                    spec(
                        TallyRouter.TYPE,
                        Map.of(
                            "analysis",
                            Map.of(
                                "metrics",
                                List.of(Map.of("name", "latency", "type", "samples")))))));

    assertThat(refused.body().errors())
        .containsExactly(
            new FieldError(
                "analysis.metrics[0].type",
                "tally-stats keeps means only: no individual response times"));
  }

  @Test
  void aWatchedServiceBehindARouterWithoutDefaultMetricsMustNameAProvider() {
    ApiException refused =
        catchThrowableOfType(
            ApiException.class,
            () ->
                mapper.toModel(
                    "shop", spec("bare", Map.of("autoRollback", Map.of("window", "10m")))));

    assertThat(refused.body().errors())
        .contains(
            new FieldError(
                "autoRollback",
                "needs a metric provider: name one in analysis.provider (the traffic router, bare,"
                    + " has no default one)"));
  }

  @Test
  void anSshDeployerWhoseSettingsCannotWorkIsRefusedBeforeAnythingIsStored() {
    ApiException refused =
        catchThrowableOfType(
            ApiException.class,
            () ->
                mapper.toModel(
                    "shop",
                    spec(
                        TallyRouter.TYPE,
                        Map.of(
                            "deployer",
                            Map.of(
                                "type",
                                "ssh",
                                "settings",
                                Map.of(
                                    "user", "deploy",
                                    "identityFile", "/etc/sluice/key",
                                    "hostKeys", "yes-please",
                                    "template", Map.of("type", "docker", "image", "shop")))))));

    assertThat(refused.body().errors())
        .containsExactly(
            new FieldError(
                "deployer.settings",
                "ssh deployer: setting 'hostKeys' must be strict or accept-new, got \"yes-please\""));
  }
}
