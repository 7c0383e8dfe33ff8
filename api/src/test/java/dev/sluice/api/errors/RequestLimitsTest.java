package dev.sluice.api.errors;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.api.ApiFixture;
import dev.sluice.api.SluiceConfiguration;
import dev.sluice.testkit.SluiceClient;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The limits on what one body may hold, at their defaults: a fleet of 10,000 targets is fine, one
 * more is a 422 naming the field, and so is any list or string over the limits wherever it is;
 * nothing refused is recorded.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class RequestLimitsTest {

  static final DropwizardAppExtension<SluiceConfiguration> APP = ApiFixture.app();

  static SluiceClient api;

  @BeforeAll
  static void client() {
    api = new SluiceClient(URI.create("http://127.0.0.1:" + APP.getLocalPort()), "alice");
  }

  static Map<String, Object> serviceWithFleet(int targets) {
    Map<String, Object> service = new LinkedHashMap<>(ApiFixture.service());
    List<Map<String, Object>> fleet = new ArrayList<>();
    for (int i = 0; i < targets; i++) {
      fleet.add(Map.of("id", "t" + i, "host", "10.0." + i / 250 + "." + i % 250, "port", 9101));
    }
    service.put("fleet", fleet);
    return service;
  }

  @Test
  void aFleetOfTenThousandTargetsIsStored() {
    api.put("/api/v1/services/wide", serviceWithFleet(10_000)).expect(201);

    JsonNode fleet = api.get("/api/v1/services/wide/fleet").expect(200).body();
    assertThat(fleet.path("targets").size()).isEqualTo(10_000);
  }

  @Test
  void oneTargetOverTheLimitIsA422NamingTheFleetAndNothingIsStored() {
    JsonNode error =
        api.put("/api/v1/services/too-wide", serviceWithFleet(10_001)).expect(422).body();

    assertThat(error.path("field").asText()).isEqualTo("fleet");
    assertThat(error.path("message").asText())
        .isEqualTo("fleet: at most 10000 items (limits.maxItems)");
    api.get("/api/v1/services/too-wide").expect(404);
    assertThat(api.get("/api/v1/audit?subject=too-wide").expect(200).body().path("entries"))
        .isEmpty();
  }

  @Test
  void aLongListInsideFreeFormSettingsIsRefusedWithItsPath() {
    Map<String, Object> service = new LinkedHashMap<>(ApiFixture.service());
    service.put(
        "deployer",
        Map.of(
            "type", "local-process", "settings", Map.of("args", Collections.nCopies(20_000, "x"))));

    JsonNode error = api.put("/api/v1/services/chatty", service).expect(422).body();

    assertThat(error.path("field").asText()).isEqualTo("deployer.settings.args");
    api.get("/api/v1/services/chatty").expect(404);
  }

  @Test
  void aStringOverTheLimitIsA422NamingTheField() {
    JsonNode error =
        api.post(
                "/api/v1/deployments",
                Map.of("service", "any", "version", "v".repeat(4 * 1024 * 1024 + 1)))
            .expect(422)
            .body();

    assertThat(error.path("field").asText()).isEqualTo("version");
    assertThat(error.path("message").asText())
        .isEqualTo("version: at most 4194304 characters (limits.maxStringLength)");
    assertThat(error.toString()).hasSizeLessThan(1_000);
  }

  @Test
  void aHostLongerThanADnsNameIsRefused() {
    Map<String, Object> service = new LinkedHashMap<>(ApiFixture.service());
    service.put("fleet", List.of(Map.of("id", "t1", "host", "h".repeat(300), "port", 9101)));

    JsonNode error = api.put("/api/v1/services/long-host", service).expect(422).body();

    assertThat(error.path("field").asText()).isEqualTo("fleet[0].host");
  }
}
