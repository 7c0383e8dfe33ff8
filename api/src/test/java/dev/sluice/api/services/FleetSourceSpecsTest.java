package dev.sluice.api.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.activities.StandardProviders;
import dev.sluice.api.common.ErrorBody.FieldError;
import dev.sluice.api.errors.ApiException;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.ServiceDefinition;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A service whose fleet comes from a source, at PUT: the source's type and settings are checked by
 * building its adapter (nothing asks AWS), it excludes a listed fleet, and GET shows it as given.
 */
class FleetSourceSpecsTest {

  private final ServiceMapper mapper = new ServiceMapper(StandardProviders.registry());

  static Map<String, Object> ec2(Map<String, Object> more) {
    Map<String, Object> settings = new HashMap<>();
    settings.put("region", "eu-west-1");
    settings.put("tags", Map.of("app", "shop"));
    settings.put("port", 8080);
    settings.putAll(more);
    settings.values().removeIf(v -> v == null);
    return Map.of("type", "ec2", "settings", settings);
  }

  static ServiceSpec spec(Map<String, Object> more) {
    Map<String, Object> spec = new HashMap<>();
    spec.put(
        "trafficRouter",
        Map.of(
            "type", "haproxy", "settings", Map.of("socket", "/tmp/none.sock", "backend", "app")));
    spec.put(
        "deployer",
        Map.of("type", "local-process", "settings", Map.of("sampleAppJar", "/tmp/none.jar")));
    spec.putAll(more);
    return new ObjectMapper().convertValue(spec, ServiceSpec.class);
  }

  private List<FieldError> refused(ServiceSpec spec) {
    ApiException e = catchThrowableOfType(ApiException.class, () -> mapper.toModel("shop", spec));
    assertThat(e).as("refused").isNotNull();
    assertThat(e.status()).isEqualTo(422);
    return e.body().errors();
  }

  @Test
  void aServiceWithASourceIsStoredWithoutAFleetAndShownAsGiven() {
    ServiceSpec given = spec(Map.of("fleetSource", ec2(Map.of("poolTag", "pool"))));

    ServiceDefinition service = mapper.toModel("shop", given);

    assertThat(service.fleet()).isEmpty();
    assertThat(service.fleetSource())
        .isEqualTo(
            new ProviderRef(
                "ec2",
                Map.of(
                    "region",
                    "eu-west-1",
                    "tags",
                    Map.of("app", "shop"),
                    "port",
                    8080,
                    "poolTag",
                    "pool")));
    ServiceSpec shown = mapper.toSpec(service);
    assertThat(shown.fleet()).isNull();
    assertThat(shown.fleetSource()).isEqualTo(given.fleetSource());
  }

  @Test
  void aFleetAndASourceTogetherAreRefusedAndNeitherNamesBoth() {
    List<Map<String, Object>> fleet = List.of(Map.of("id", "t1", "host", "10.0.0.1", "port", 80));

    assertThat(refused(spec(Map.of("fleet", fleet, "fleetSource", ec2(Map.of())))))
        .extracting(FieldError::field)
        .containsExactly("fleetSource");
    assertThat(refused(spec(Map.of())))
        .extracting(FieldError::message)
        .containsExactly("must list at least one target (or give a fleetSource instead)");
  }

  @Test
  void anUnknownSourceTypeIsNamedWithTheKnownOnes() {
    assertThat(refused(spec(Map.of("fleetSource", Map.of("type", "consul")))))
        .containsExactly(
            new FieldError(
                "fleetSource.type", "unknown type \"consul\"; known types: [ec2, elbv2]"));
  }

  @Test
  void aBadSettingIsNamedUnderSettings() {
    assertThat(refused(spec(Map.of("fleetSource", ec2(Map.of("address", "elastic"))))))
        .extracting(FieldError::field)
        .containsExactly("fleetSource.settings.address");
    assertThat(refused(spec(Map.of("fleetSource", ec2(Map.of("accessKey", "AKIA…"))))))
        .extracting(FieldError::field)
        .containsExactly("fleetSource.settings.accessKey");
    Map<String, Object> noPort = new HashMap<>();
    noPort.put("port", null); // left out
    assertThat(refused(spec(Map.of("fleetSource", ec2(noPort)))))
        .extracting(FieldError::field)
        .containsExactly("fleetSource.settings.port");
    assertThat(
            refused(
                spec(
                    Map.of(
                        "fleetSource",
                        Map.of("type", "elbv2", "settings", Map.of("region", "eu-west-1"))))))
        .extracting(FieldError::field)
        .containsExactly("fleetSource.settings");
  }

  @Test
  void strategyRulesOverTheFleetWaitForTheDeploymentToResolveIt() {
    // Blue-green needs two pools and rolling by zone needs zones: a discovered fleet is held to
    // both when a deployment learns it, not at PUT.
    ServiceDefinition service =
        mapper.toModel(
            "shop",
            spec(
                Map.of(
                    "fleetSource",
                    ec2(Map.of()),
                    "defaultStrategy",
                    "blue-green",
                    "rolling",
                    Map.of("byZone", true))));

    assertThat(service.defaultStrategy()).isEqualTo("blue-green");
  }
}
