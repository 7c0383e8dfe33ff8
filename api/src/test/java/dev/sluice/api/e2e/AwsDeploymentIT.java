package dev.sluice.api.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.activities.aws.MotoAlb;
import dev.sluice.activities.aws.MotoServer;
import dev.sluice.api.SluiceApplication;
import dev.sluice.model.Target;
import dev.sluice.testkit.LocalStack;
import dev.sluice.testkit.SecretScan;
import dev.sluice.testkit.SluiceClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetDescription;

/**
 * End to end on AWS's API: REST API → Temporal → worker → the {@code elbv2} router on an
 * Application Load Balancer in moto, over four EC2 instances whose service runs as sample-app
 * processes here (deployed by {@code local-process}, each known by its instance id). Every strategy
 * runs unchanged: only the service definition names the ALB.
 *
 * <p>Moto routes no traffic and runs no health checks (a registered running instance is {@code
 * healthy} at once), so the ALB's side is asserted as the AWS API reads it back — the listener's
 * weights and target group, the target groups' members — while the deployments' own health checks
 * and smoke checks reach the real processes. One more service finds its fleet in an {@code ip}
 * target group (the {@code elbv2} fleet source) instead of listing it. CloudWatch (the router's
 * default metrics) has no data for moto's load balancer, so the blue-green warm-up ends
 * inconclusive rather than judged.
 */
class AwsDeploymentIT {

  @TempDir static Path dir;
  static MotoServer moto;

  @BeforeAll
  static void startMoto() throws Exception {
    moto = MotoServer.start(dir.resolve("moto"));
  }

  @AfterAll
  static void stopMoto() {
    if (moto != null) {
      moto.close();
    }
  }

  static Map<String, Object> router(String listener, Map<String, Object> groups) {
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("region", MotoServer.REGION);
    settings.put("endpoint", moto.endpoint().toString());
    settings.put("listener", listener);
    settings.put("pollInterval", "50ms");
    settings.put("maxPollInterval", "200ms");
    // CloudWatch (the router's default metrics) holds nothing for moto's load balancer; without
    // a lag, a warm-up shorter than its one-minute windows ends at once, inconclusive.
    settings.put("lag", "0s");
    settings.putAll(groups);
    return Map.of("type", "elbv2", "settings", settings);
  }

  static LocalStack stack(String name, List<Instance> instances, boolean pools) throws Exception {
    LocalStack.Options options =
        LocalStack.Options.defaults(
                dir.resolve(name), Path.of(System.getProperty("sluice.sampleAppJar")))
            .withTargetIds(instances.stream().map(Instance::instanceId).toList());
    return LocalStack.start(pools ? options.withPools() : options, SluiceApplication::startServer);
  }

  /** The stack's fleet as the service definition lists it, each target in its instance's zone. */
  static List<Map<String, Object>> fleet(LocalStack stack, List<Instance> instances) {
    Map<String, String> zones = new LinkedHashMap<>();
    instances.forEach(i -> zones.put(i.instanceId(), i.placement().availabilityZone()));
    List<Map<String, Object>> fleet = new ArrayList<>();
    for (Target t : stack.targets()) {
      Map<String, Object> target = new LinkedHashMap<>();
      target.put("id", t.id());
      target.put("host", t.host());
      target.put("port", t.port());
      target.put("zone", zones.get(t.id()));
      if (t.pool() != null) {
        target.put("pool", t.pool());
      }
      fleet.add(target);
    }
    return fleet;
  }

  /** Starts a deployment of checkout {@code version} with more fields, name then value; its id. */
  static String deploy(SluiceClient api, String version, Object... more) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("service", "checkout");
    body.put("version", version);
    for (int i = 0; i < more.length; i += 2) {
      body.put((String) more[i], more[i + 1]);
    }
    return api.post("/api/v1/deployments", body).expect(202).body().path("id").asText();
  }

  static JsonNode finish(SluiceClient api, String id) {
    return api.awaitFinal(
        id,
        Duration.ofMinutes(3),
        e -> System.out.println(e.path("at").asText() + " " + e.path("message").asText()));
  }

  /** Ids of the targets {@code group} holds as {@code healthy}. */
  static List<String> healthy(MotoAlb alb, String group) {
    return alb.members(group).entrySet().stream()
        .filter(e -> e.getValue().equals("healthy"))
        .map(Map.Entry::getKey)
        .sorted()
        .toList();
  }

  static List<String> ids(List<Instance> instances) {
    return instances.stream().map(Instance::instanceId).sorted().toList();
  }

  @Test
  void rollingByZoneAndCanariesLeaveTheListenerAndTargetGroupsAsPromised() throws Exception {
    try (MotoAlb alb = MotoAlb.create(moto, "shop")) {
      String stable = alb.targetGroup("shop-stable");
      String canary = alb.targetGroup("shop-canary");
      String listener = alb.listener(stable);
      List<Instance> instances = alb.instances(4);
      try (LocalStack stack = stack("rolling", instances, false)) {
        alb.register(stable, stack.targets());
        SluiceClient api = stack.client();
        Map<String, Object> service = new LinkedHashMap<>(stack.serviceDefinition());
        service.put("fleet", fleet(stack, instances));
        service.put(
            "trafficRouter",
            router(listener, Map.of("targetGroup", stable, "canaryTargetGroup", canary)));
        api.put("/api/v1/services/checkout", service).expect(201);

        // --- rolling, one availability zone at a time -----------------------------------------
        String v2 =
            deploy(
                api,
                "2.0.0",
                "overrides",
                Map.of(
                    "byZone", true,
                    "batchSize", "100%",
                    "minHealthyPerZone", 1,
                    "zoneBake", "1s",
                    "pauseBetweenBatches", "0s"));
        JsonNode rolled = finish(api, v2);

        assertThat(rolled.path("state").asText())
            .as(rolled.path("reason").asText())
            .isEqualTo("SUCCEEDED");
        assertThat(stack.versions().values()).containsOnly("2.0.0");
        assertThat(healthy(alb, stable)).isEqualTo(ids(instances));
        assertThat(healthy(alb, canary)).isEmpty();
        assertThat(alb.shares(listener)).containsExactly(Map.entry(stable, 100));
        Map<String, String> zoneOf = new LinkedHashMap<>();
        instances.forEach(i -> zoneOf.put(i.instanceId(), i.placement().availabilityZone()));
        List<String> deployedZones = new ArrayList<>();
        rolled
            .path("events")
            .forEach(
                e -> {
                  if (e.path("type").asText().equals("target.deploying")) {
                    deployedZones.add(zoneOf.get(e.path("target").asText()));
                  }
                });
        String first = zoneOf.get(stack.targets().get(0).id());
        String second = zoneOf.get(stack.targets().get(1).id());
        assertThat(first).isNotEqualTo(second);
        assertThat(deployedZones).containsExactly(first, first, second, second);
        assertThat(rolled.path("events").findValuesAsText("type"))
            .containsSubsequence("rolling.zone", "rolling.zone-baked", "rolling.zone");

        // --- rolling a version that never gets healthy: rolled back, every instance in service -
        String v3 = deploy(api, "3.0.0", "overrides", Map.of("rollbackOnFailure", true));
        JsonNode failed = finish(api, v3);

        assertThat(failed.path("state").asText()).isEqualTo("ROLLED_BACK");
        assertThat(stack.versions().values()).containsOnly("2.0.0");
        assertThat(healthy(alb, stable)).isEqualTo(ids(instances));

        // --- a canary at 25%, aborted at its pause -------------------------------------------
        String c1 =
            deploy(
                api,
                "4.0.0",
                "strategy",
                "canary",
                "canary",
                Map.of("steps", List.of(Map.of("setWeight", 25), Map.of("pause", Map.of()))));
        JsonNode waiting =
            api.awaitDeployment(
                c1, Duration.ofMinutes(2), d -> d.path("phase").asText().equals("WAITING"));
        String canaryId = stack.targets().get(0).id();

        assertThat(waiting.path("trafficWeight").asInt()).isEqualTo(25);
        assertThat(alb.shares(listener))
            .containsExactly(Map.entry(stable, 75), Map.entry(canary, 25));
        assertThat(healthy(alb, canary)).containsExactly(canaryId);
        assertThat(healthy(alb, stable)).doesNotContain(canaryId).hasSize(3);

        api.post("/api/v1/deployments/" + c1 + "/abort", Map.of("reason", "not today")).expect(202);
        JsonNode aborted = finish(api, c1);

        assertThat(aborted.path("state").asText()).isEqualTo("ABORTED");
        assertThat(stack.versions().values()).containsOnly("2.0.0");
        assertThat(alb.shares(listener)).containsEntry(stable, 100).doesNotContainValue(25);
        assertThat(healthy(alb, canary)).isEmpty();
        assertThat(healthy(alb, stable)).isEqualTo(ids(instances));

        // --- a canary that goes all the way ---------------------------------------------------
        String c2 =
            deploy(
                api,
                "4.0.1",
                "strategy",
                "canary",
                "canary",
                Map.of("steps", List.of(Map.of("setWeight", 50))));
        JsonNode promoted = finish(api, c2);

        assertThat(promoted.path("state").asText())
            .as(promoted.path("reason").asText())
            .isEqualTo("SUCCEEDED");
        assertThat(stack.versions().values()).containsOnly("4.0.1");
        assertThat(alb.shares(listener)).containsEntry(stable, 100).doesNotContainValue(50);
        assertThat(healthy(alb, canary)).isEmpty();
        assertThat(healthy(alb, stable)).isEqualTo(ids(instances));
        SecretScan.assertNoneOf(
            List.of(MotoServer.SECRET_ACCESS_KEY), v2, SecretScan.Sources.of(stack));
      }
    }
  }

  @Test
  void aFleetFoundInATargetGroupIsDeployedAndRecordedInTheDeployment() throws Exception {
    try (MotoAlb alb = MotoAlb.create(moto, "shop-ip")) {
      // An ip target group whose targets are loopback addresses: found by the elbv2 fleet
      // source, reached by the deployer and the health checks (Linux routes 127/8 to loopback).
      String group = alb.ipTargetGroup("shop-ip");
      String listener = alb.listener(group);
      List<String> ips = List.of("127.0.0.2", "127.0.0.3");
      LocalStack.Options options =
          LocalStack.Options.defaults(
                  dir.resolve("discovered"), Path.of(System.getProperty("sluice.sampleAppJar")))
              .withTargetIds(ips)
              .withTargetHosts(ips);
      try (LocalStack stack = LocalStack.start(options, SluiceApplication::startServer)) {
        alb.register(group, stack.targets());
        SluiceClient api = stack.client();
        Map<String, Object> service = new LinkedHashMap<>(stack.serviceDefinition());
        service.remove("fleet");
        service.put(
            "fleetSource",
            Map.of(
                "type",
                "elbv2",
                "settings",
                Map.of(
                    "region",
                    MotoServer.REGION,
                    "endpoint",
                    moto.endpoint().toString(),
                    "targetGroup",
                    group)));
        service.put("trafficRouter", router(listener, Map.of("targetGroup", group)));
        JsonNode stored = api.put("/api/v1/services/checkout", service).expect(201).body();

        assertThat(stored.path("definition").has("fleet")).isFalse();
        assertThat(stored.path("definition").path("fleetSource").path("type").asText())
            .isEqualTo("elbv2");
        assertThat(
                api.get("/api/v1/services/checkout/fleet")
                    .body()
                    .path("targets")
                    .findValuesAsText("host"))
            .containsExactlyElementsOf(ips);

        String v2 = deploy(api, "2.0.0", "overrides", Map.of("pauseBetweenBatches", "0s"));
        JsonNode rolled = finish(api, v2);

        assertThat(rolled.path("state").asText())
            .as(rolled.path("reason").asText())
            .isEqualTo("SUCCEEDED");
        assertThat(rolled.path("targets").findValuesAsText("id")).containsExactlyElementsOf(ips);
        assertThat(stack.versions()).containsOnlyKeys(ips);
        assertThat(stack.versions().values()).containsOnly("2.0.0");
        assertThat(healthy(alb, group)).isEqualTo(ips);

        // --- a service rollback is a new deployment: it learns the fleet afresh ---------------
        alb.elb()
            .deregisterTargets(
                r ->
                    r.targetGroupArn(group)
                        .targets(
                            TargetDescription.builder()
                                .id("127.0.0.3")
                                .port(stack.targets().get(1).port())
                                .build()));
        String back =
            api.post("/api/v1/services/checkout/rollback", Map.of("reason", "test"))
                .expect(202)
                .body()
                .path("deploymentId")
                .asText();
        JsonNode rolledBack = finish(api, back);

        assertThat(rolledBack.path("state").asText())
            .as(rolledBack.path("reason").asText())
            .isEqualTo("SUCCEEDED");
        assertThat(rolledBack.path("targets").findValuesAsText("id")).containsExactly("127.0.0.2");
        assertThat(stack.versions())
            .containsEntry("127.0.0.2", "1.0.0")
            .containsEntry("127.0.0.3", "2.0.0");
      }
    }
  }

  @Test
  void blueGreenSwitchesTheListenerAndARollbackSwitchesItBack() throws Exception {
    try (MotoAlb alb = MotoAlb.create(moto, "shop-bg")) {
      String blue = alb.targetGroup("shop-blue");
      String green = alb.targetGroup("shop-green");
      String listener = alb.listener(blue);
      List<Instance> instances = alb.instances(4);
      try (LocalStack stack = stack("blue-green", instances, true)) {
        List<Target> bluePool =
            stack.targets().stream().filter(t -> t.pool().equals("blue")).toList();
        List<Target> greenPool =
            stack.targets().stream().filter(t -> t.pool().equals("green")).toList();
        alb.register(blue, bluePool);
        alb.register(green, greenPool);
        SluiceClient api = stack.client();
        Map<String, Object> service = new LinkedHashMap<>(stack.serviceDefinition());
        service.put("fleet", fleet(stack, instances));
        service.put(
            "trafficRouter",
            router(listener, Map.of("targetGroups", Map.of("blue", blue, "green", green))));
        service.put("defaultStrategy", "blue-green");
        api.put("/api/v1/services/checkout", service).expect(201);

        // --- 2.0.0 goes to green and the listener switches to it ------------------------------
        String v2 =
            deploy(api, "2.0.0", "blueGreen", Map.of("warmUp", "2s", "rollbackWindow", "2s"));
        JsonNode switched = finish(api, v2);

        assertThat(switched.path("state").asText())
            .as(switched.path("reason").asText())
            .isEqualTo("SUCCEEDED");
        assertThat(alb.shares(listener)).containsExactly(Map.entry(green, 100));
        greenPool.forEach(t -> assertThat(stack.versions()).containsEntry(t.id(), "2.0.0"));
        bluePool.forEach(t -> assertThat(stack.versions()).containsEntry(t.id(), "1.0.0"));
        assertThat(healthy(alb, green))
            .isEqualTo(greenPool.stream().map(Target::id).sorted().toList());

        // --- 2.1.0 goes to blue; a service rollback in its window switches back to green ------
        String v21 =
            deploy(api, "2.1.0", "blueGreen", Map.of("warmUp", "2s", "rollbackWindow", "10m"));
        api.awaitDeployment(
            v21, Duration.ofMinutes(2), d -> d.path("phase").asText().equals("WAITING"));
        assertThat(alb.shares(listener)).containsExactly(Map.entry(blue, 100));
        JsonNode rollback =
            api.post("/api/v1/services/checkout/rollback", Map.of("reason", "support tickets"))
                .expect(202)
                .body();
        assertThat(rollback.path("action").asText()).isEqualTo("switch-back");
        JsonNode back = finish(api, v21);

        assertThat(back.path("state").asText())
            .as(back.path("reason").asText())
            .isEqualTo("ABORTED");
        assertThat(alb.shares(listener)).containsExactly(Map.entry(green, 100));
        assertThat(api.get("/api/v1/services/checkout/history").body().path("current").asText())
            .isEqualTo("2.0.0");
        SecretScan.assertNoneOf(
            List.of(MotoServer.SECRET_ACCESS_KEY), v2, SecretScan.Sources.of(stack));
      }
    }
  }
}
