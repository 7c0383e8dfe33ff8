package dev.sluice.activities.fleet.ec2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.StandardProviders;
import dev.sluice.activities.aws.AwsUnavailableException;
import dev.sluice.activities.aws.MotoAlb;
import dev.sluice.activities.aws.MotoServer;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
import dev.sluice.ports.FleetSource;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * The ec2 fleet source against moto in server mode: instances run, tagged and stopped through the
 * SDK in two availability zones, then found through the source as a deployment would find them.
 */
class Ec2FleetSourceTest {

  static MotoServer moto;

  @TempDir static Path dir;

  MotoAlb aws;

  @BeforeAll
  static void startMoto() throws Exception {
    moto = MotoServer.start(dir);
  }

  @AfterAll
  static void stopMoto() {
    if (moto != null) {
      moto.close();
    }
  }

  @BeforeEach
  void reset() {
    moto.reset();
    aws = MotoAlb.create(moto, "shop");
  }

  @AfterEach
  void closeClients() {
    if (aws != null) {
      aws.close();
    }
  }

  private Map<String, Object> settings(Map<String, Object> more) {
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("region", MotoServer.REGION);
    settings.put("endpoint", moto.endpoint().toString());
    settings.put("tags", Map.of("app", "shop"));
    settings.put("port", 8080);
    settings.putAll(more);
    return settings;
  }

  private FleetSource source(Map<String, Object> more) {
    return StandardProviders.registry()
        .fleetSource(new ProviderRef(Ec2FleetSource.TYPE, settings(more)));
  }

  @Test
  void findsTheRunningInstancesWithTheTagsAtTheirPrivateAddressesInTheirZones() {
    List<Instance> shop = aws.instances(4, Map.of("app", "shop", "env", "prod"));
    aws.instances(1, Map.of("app", "other"));
    aws.instances(1, Map.of("app", "shop", "env", "staging"));
    Instance stopped = shop.get(3);
    aws.ec2().stopInstances(r -> r.instanceIds(stopped.instanceId()));

    List<Target> targets = source(Map.of("tags", Map.of("app", "shop", "env", "prod"))).targets();

    List<Target> expected =
        shop.subList(0, 3).stream()
            .map(
                i ->
                    new Target(
                        i.instanceId(),
                        i.privateIpAddress(),
                        8080,
                        null,
                        i.placement().availabilityZone()))
            .sorted(Comparator.comparing(Target::id))
            .toList();
    assertThat(targets).isEqualTo(expected);
    assertThat(targets).extracting(Target::zone).doesNotContainNull();
    assertThat(targets.stream().map(Target::zone).distinct()).hasSize(2);
  }

  @Test
  void aTagMatchesAnyOfItsValuesAndStatesSayWhichInstancesCount() {
    aws.instances(1, Map.of("app", "shop", "env", "prod"));
    aws.instances(1, Map.of("app", "shop", "env", "canary"));
    Instance stopped = aws.instances(1, Map.of("app", "shop", "env", "prod")).get(0);
    aws.ec2().stopInstances(r -> r.instanceIds(stopped.instanceId()));

    Map<String, Object> prodOrCanary = Map.of("app", "shop", "env", List.of("prod", "canary"));
    assertThat(source(Map.of("tags", prodOrCanary)).targets()).hasSize(2);
    assertThat(
            source(Map.of("tags", prodOrCanary, "states", List.of("running", "stopped"))).targets())
        .hasSize(3)
        .extracting(Target::id)
        .contains(stopped.instanceId());
  }

  @Test
  void idsAndPoolsComeFromTagsAndThePublicAddressWhenAsked() {
    Instance blue =
        aws.instances(1, Map.of("app", "shop", "Name", "shop-1", "pool", "blue")).get(0);
    Instance green =
        aws.instances(1, Map.of("app", "shop", "Name", "shop-2", "pool", "green")).get(0);

    List<Target> targets =
        source(Map.of("idTag", "Name", "poolTag", "pool", "address", "public", "port", "9000"))
            .targets();

    assertThat(targets)
        .containsExactly(
            new Target(
                "shop-1",
                blue.publicIpAddress(),
                9000,
                "blue",
                blue.placement().availabilityZone()),
            new Target(
                "shop-2",
                green.publicIpAddress(),
                9000,
                "green",
                green.placement().availabilityZone()));
    assertThat(targets).extracting(Target::host).doesNotContainNull();
    assertThat(source(Map.of("address", "privateDns")).targets())
        .extracting(Target::host)
        .containsExactlyInAnyOrder(blue.privateDnsName(), green.privateDnsName());
  }

  @Test
  void anInstanceWithoutTheIdTagIsNamed() {
    Instance unnamed = aws.instances(1, Map.of("app", "shop")).get(0);

    assertThatThrownBy(() -> source(Map.of("idTag", "Name")).targets())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(unnamed.instanceId())
        .hasMessageContaining("no tag 'Name'");
  }

  @Test
  void noMatchingInstanceIsAnErrorNotAnEmptyFleet() {
    aws.instances(2, Map.of("app", "other"));

    assertThatThrownBy(() -> source(Map.of()).targets())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("no instance in eu-west-1 matches tag:app=[shop]")
        .hasMessageContaining("instance-state-name=[running]");
  }

  @Test
  void anUnreachableEndpointIsRetryable() {
    FleetSource source = source(Map.of("endpoint", "http://127.0.0.1:1"));

    assertThatThrownBy(source::targets)
        .isInstanceOf(AwsUnavailableException.class)
        .hasMessageContaining("ec2: DescribeInstances");
  }

  @Test
  void settingsAreCheckedWhenBuiltWithoutCallingAws() {
    Map<String, String> refused = new LinkedHashMap<>();
    refused.put("secretAccessKey", "unknown settings [secretAccessKey]");
    refused.put("port", "setting 'port' is required");
    refused.put("address", "setting 'address' must be private, public, privateDns or publicDns");
    refused.put("tags", "setting 'tags' is required");
    refused.put("states", "unknown state 'up'");
    refused.put("region", "setting 'region' is required");
    for (var e : refused.entrySet()) {
      Map<String, Object> settings = settings(Map.of());
      switch (e.getKey()) {
        case "secretAccessKey" -> settings.put("secretAccessKey", "x");
        case "address" -> settings.put("address", "elastic");
        case "states" -> settings.put("states", List.of("up"));
        default -> settings.remove(e.getKey());
      }
      assertThatThrownBy(
              () -> Ec2FleetSource.fromRef(new ProviderRef(Ec2FleetSource.TYPE, settings)))
          .as(e.getKey())
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining(e.getValue());
    }
    // An endpoint nothing listens on: building connects to nothing.
    assertThat(source(Map.of("endpoint", "http://127.0.0.1:1"))).isNotNull();
  }
}
