package dev.sluice.activities.fleet.elbv2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.StandardProviders;
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
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetDescription;

/**
 * The elbv2 fleet source against moto in server mode: target groups of instances and of IP
 * addresses made and filled through the SDK, then read through the source. moto runs no health
 * checks and has no deregistration delay, so no target is ever {@code draining} here: leaving
 * draining targets out is not shown.
 */
class Elbv2FleetSourceTest {

  static MotoServer moto;

  @TempDir static Path dir;

  MotoAlb alb;

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
  void createLoadBalancer() {
    moto.reset();
    alb = MotoAlb.create(moto, "shop");
  }

  @AfterEach
  void closeClients() {
    if (alb != null) {
      alb.close();
    }
  }

  private FleetSource source(Map<String, Object> more) {
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("region", MotoServer.REGION);
    settings.put("endpoint", moto.endpoint().toString());
    settings.putAll(more);
    return StandardProviders.registry()
        .fleetSource(new ProviderRef(Elbv2FleetSource.TYPE, settings));
  }

  private static Target asTarget(Instance i, int port, String pool) {
    return new Target(
        i.instanceId(), i.privateIpAddress(), port, pool, i.placement().availabilityZone());
  }

  @Test
  void
      readsAnInstanceGroupsRunningTargetsWithTheirAddressesAndZonesLeavingOutStoppedAndTerminatedOnes() {
    String group = alb.targetGroup("shop");
    List<Instance> instances = alb.instances(5);
    alb.register(group, instances.stream().map(i -> asTarget(i, 8080, null)).toList());
    alb.ec2().stopInstances(r -> r.instanceIds(instances.get(3).instanceId()));
    alb.ec2().terminateInstances(r -> r.instanceIds(instances.get(4).instanceId()));
    alb.instances(1); // running, but not registered

    List<Target> targets = source(Map.of("targetGroup", group)).targets();

    assertThat(targets)
        .isEqualTo(
            instances.subList(0, 3).stream()
                .map(i -> asTarget(i, 8080, null))
                .sorted(Comparator.comparing(Target::id))
                .toList());
    assertThat(targets.stream().map(Target::zone).distinct()).hasSize(2);
    assertThat(source(Map.of("targetGroup", group, "port", 9000)).targets())
        .extracting(Target::port)
        .containsOnly(9000);
  }

  @Test
  void eachPoolsGroupGivesItsTargetsThatPool() {
    String blue = alb.targetGroup("shop-blue");
    String green = alb.targetGroup("shop-green");
    List<Instance> instances = alb.instances(4);
    alb.register(blue, instances.subList(0, 2).stream().map(i -> asTarget(i, 8080, null)).toList());
    alb.register(
        green, instances.subList(2, 4).stream().map(i -> asTarget(i, 8080, null)).toList());

    List<Target> targets =
        source(Map.of("targetGroups", Map.of("blue", blue, "green", green))).targets();

    assertThat(targets)
        .containsExactlyInAnyOrder(
            asTarget(instances.get(0), 8080, "blue"),
            asTarget(instances.get(1), 8080, "blue"),
            asTarget(instances.get(2), 8080, "green"),
            asTarget(instances.get(3), 8080, "green"));
  }

  @Test
  void anIpGroupsTargetsAreTheirAddressesOnTheirPorts() {
    String group = alb.ipTargetGroup("shop-ip");
    alb.elb()
        .registerTargets(
            r ->
                r.targetGroupArn(group)
                    .targets(
                        TargetDescription.builder().id("172.31.0.12").port(8082).build(),
                        TargetDescription.builder()
                            .id("172.31.0.11")
                            .port(8081)
                            .availabilityZone("eu-west-1a")
                            .build()));

    assertThat(source(Map.of("targetGroup", group)).targets())
        .containsExactly(
            // moto does not echo the AvailabilityZone a target was registered with, so the zone
            // AWS would report here (eu-west-1a) is not shown.
            new Target("172.31.0.11", "172.31.0.11", 8081, null, null),
            new Target("172.31.0.12", "172.31.0.12", 8082, null, null));
  }

  @Test
  void aTargetRegisteredInTwoPoolsIsRefused() {
    // moto keeps one registration per id in a group (AWS keeps one per id and port), so the
    // double registration is shown across two groups.
    String blue = alb.ipTargetGroup("shop-blue");
    String green = alb.ipTargetGroup("shop-green");
    for (String group : List.of(blue, green)) {
      alb.elb()
          .registerTargets(
              r ->
                  r.targetGroupArn(group)
                      .targets(TargetDescription.builder().id("172.31.0.11").port(8081).build()));
    }

    assertThatThrownBy(
            () -> source(Map.of("targetGroups", Map.of("blue", blue, "green", green))).targets())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("target 172.31.0.11 is registered more than once");
  }

  @Test
  void anEmptyGroupIsAnErrorAndAnUnknownOneAwsRefusal() {
    String group = alb.targetGroup("shop");

    assertThatThrownBy(() -> source(Map.of("targetGroup", group)).targets())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("no registered target in [" + group + "]");
    String unknown = group.replace("shop", "nope");
    assertThatThrownBy(() -> source(Map.of("targetGroup", unknown)).targets())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("elbv2: DescribeTargetHealth " + unknown + " refused: ");
  }

  @Test
  void settingsAreCheckedWhenBuilt() {
    assertThatThrownBy(() -> source(Map.of()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("exactly one of the settings 'targetGroup'");
    assertThatThrownBy(
            () -> source(Map.of("targetGroup", "arn:x", "targetGroups", Map.of("b", "y"))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("exactly one of the settings 'targetGroup'");
    assertThatThrownBy(() -> source(Map.of("targetGroup", "arn:x", "port", 0)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'port' must be between 1 and 65535");
    assertThatThrownBy(() -> source(Map.of("targetGroup", "arn:x", "listener", "arn:y")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("unknown settings [listener]");
  }
}
