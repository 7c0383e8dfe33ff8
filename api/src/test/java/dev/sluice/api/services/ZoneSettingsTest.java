package dev.sluice.api.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.activities.traffic.tally.TallyRouter;
import dev.sluice.api.common.ErrorBody.FieldError;
import dev.sluice.api.errors.ApiException;
import dev.sluice.model.ServiceDefinition;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A service that rolls one zone at a time: its targets' zones and its zone settings. */
class ZoneSettingsTest {

  private final ServiceMapper mapper = new ServiceMapper(ServiceMapperProvidersTest.PROVIDERS);

  static ServiceSpec spec(List<Map<String, Object>> fleet) {
    ServiceSpec base = ServiceMapperProvidersTest.spec(TallyRouter.TYPE, Map.of());
    Map<String, Object> wire =
        new ObjectMapper().convertValue(base, new TypeReference<Map<String, Object>>() {});
    wire.put("fleet", fleet);
    wire.put("rolling", Map.of("byZone", true, "zoneBake", "15m", "minHealthyPerZone", 1));
    return new ObjectMapper().convertValue(wire, ServiceSpec.class);
  }

  @Test
  void zonesAndZoneSettingsGoInAndComeBackOut() {
    ServiceDefinition service =
        mapper.toModel(
            "shop",
            spec(
                List.of(
                    Map.of("id", "t1", "host", "10.0.1.5", "port", 8080, "zone", "eu-west-1a"),
                    Map.of("id", "t2", "host", "10.0.1.6", "port", 8080, "zone", "eu-west-1a"),
                    Map.of("id", "t3", "host", "10.0.2.5", "port", 8080, "zone", "eu-west-1b"),
                    Map.of("id", "t4", "host", "10.0.2.6", "port", 8080, "zone", "eu-west-1b"))));

    assertThat(service.fleet().get(2).zone()).isEqualTo("eu-west-1b");
    ServiceSpec back = mapper.toSpec(service);
    assertThat(back.fleet().get(0).zone()).isEqualTo("eu-west-1a");
    assertThat(back.rolling().byZone()).isTrue();
    assertThat(back.rolling().zoneBake()).isEqualTo("15m");
    assertThat(back.rolling().minHealthyPerZone()).isEqualTo("1");
  }

  @Test
  void aZoneWithoutRoomForItsMinimumAndATargetWithoutZoneAreRefused() {
    ApiException refused =
        catchThrowableOfType(
            ApiException.class,
            () ->
                mapper.toModel(
                    "shop",
                    spec(
                        List.of(
                            Map.of("id", "t1", "host", "10.0.1.5", "port", 8080, "zone", "a"),
                            Map.of("id", "t2", "host", "10.0.1.6", "port", 8080)))));

    assertThat(refused.body().errors())
        .containsExactly(
            new FieldError("rolling.byZone", "rolling by zone: target t2 has no zone"),
            new FieldError(
                "rolling.byZone",
                "rolling by zone: zone a has 1 targets and must keep 1 in service: no batch fits"));
  }
}
