package dev.sluice.activities.traffic.elbv2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.StandardProviders;
import dev.sluice.activities.aws.MotoAlb;
import dev.sluice.activities.aws.MotoServer;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
import dev.sluice.ports.Heartbeat;
import dev.sluice.ports.TrafficRouter;
import dev.sluice.ports.TrafficRouter.DrainResult;
import dev.sluice.ports.TrafficRouter.EnableResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Action;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ActionTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ProtocolEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.RuleCondition;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetHealthDescription;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetTypeEnum;

/**
 * The elbv2 router against moto in server mode: a real ELBv2 API (the SDK's requests, moto's
 * answers and errors), with a load balancer, target groups and a listener made through the SDK
 * before each test and every result read back through the SDK.
 *
 * <p>What moto does not model, so these tests cannot show: it routes no traffic (the weights and
 * the switch are checked as the listener reads back, not as requests arriving); it runs no health
 * checks (a registered running instance is {@code healthy} at once, a stopped one {@code unused}
 * with {@code Target.InvalidState}); it has no deregistration delay (a deregistered target is
 * {@code unused} with {@code Target.NotRegistered} at once, never {@code draining}), so drains end
 * on the first poll; and it does not check that a listener's forward action names target groups
 * that exist, which is why the router asks {@code DescribeTargetGroups} before it changes one.
 */
class Elbv2RouterTest {

  static MotoServer moto;

  @TempDir static Path dir;

  MotoAlb alb;
  ElasticLoadBalancingV2Client elb;
  Ec2Client ec2;
  String stableGroup;
  String canaryGroup;
  String blueGroup;
  String greenGroup;
  String listener;
  List<Target> fleet;

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
    elb = alb.elb();
    ec2 = alb.ec2();
    stableGroup = alb.targetGroup("shop-stable");
    canaryGroup = alb.targetGroup("shop-canary");
    blueGroup = alb.targetGroup("shop-blue");
    greenGroup = alb.targetGroup("shop-green");
    listener = alb.listener(stableGroup);
    fleet = new ArrayList<>();
    for (Instance instance : alb.instances(4)) {
      fleet.add(new Target(instance.instanceId(), instance.privateIpAddress(), 8080, null));
    }
  }

  @AfterEach
  void closeClients() {
    if (alb != null) {
      alb.close();
    }
  }

  private Map<String, Object> settings() {
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("region", MotoServer.REGION);
    settings.put("endpoint", moto.endpoint().toString());
    settings.put("listener", listener);
    settings.put("targetGroup", stableGroup);
    settings.put("canaryTargetGroup", canaryGroup);
    settings.put("pollInterval", "50ms");
    settings.put("maxPollInterval", "200ms");
    return settings;
  }

  private Elbv2Router router() {
    return Elbv2Router.fromRef(new ProviderRef(Elbv2Router.TYPE, settings()));
  }

  private Elbv2Router poolRouter() {
    Map<String, Object> settings = settings();
    settings.remove("targetGroup");
    settings.remove("canaryTargetGroup");
    Map<String, String> pools = new LinkedHashMap<>();
    pools.put("blue", blueGroup);
    pools.put("green", greenGroup);
    settings.put("targetGroups", pools);
    return Elbv2Router.fromRef(new ProviderRef(Elbv2Router.TYPE, settings));
  }

  private Map<String, String> members(String group) {
    return alb.members(group);
  }

  private Map<String, Integer> weights() {
    return alb.weights(listener);
  }

  private void registerFleet(String group) {
    TrafficRouter router = router();
    for (Target target : fleet) {
      assertThat(router.enable(target, Duration.ofSeconds(5), Heartbeat.NONE).up()).isTrue();
    }
    assertThat(members(group)).containsOnlyKeys(fleet.stream().map(Target::id).toList());
  }

  @Test
  void enableRegistersTheTargetAndWaitsUntilHealthy() {
    List<Object> beats = new CopyOnWriteArrayList<>();
    EnableResult result = router().enable(fleet.get(0), Duration.ofSeconds(5), beats::add);

    assertThat(result).isEqualTo(new EnableResult(true, "healthy"));
    assertThat(members(stableGroup)).containsExactly(Map.entry(fleet.get(0).id(), "healthy"));
    assertThat(beats).hasSize(1);
    assertThat(router().enable(fleet.get(0), Duration.ofSeconds(5), Heartbeat.NONE).up())
        .as("idempotent")
        .isTrue();
  }

  @Test
  void enableReportsATargetTheLoadBalancerCannotUseAsNotUpAtTheTimeout() {
    Target target = fleet.get(0);
    router().enable(target, Duration.ofSeconds(5), Heartbeat.NONE);
    // moto's one unhealthy state: a stopped instance is unused (Target.InvalidState).
    ec2.stopInstances(r -> r.instanceIds(target.id()));
    List<Object> beats = new CopyOnWriteArrayList<>();

    EnableResult result = router().enable(target, Duration.ofMillis(600), beats::add);

    assertThat(result).isEqualTo(new EnableResult(false, "unused (Target.InvalidState)"));
    assertThat(beats).hasSizeBetween(3, 10);
  }

  @Test
  void drainDeregistersTheTargetAndWaitsUntilUnused() {
    registerFleet(stableGroup);
    Target target = fleet.get(1);
    List<Object> beats = new CopyOnWriteArrayList<>();

    DrainResult result = router().drain(target, Duration.ofSeconds(5), beats::add);

    assertThat(result.drained()).isTrue();
    assertThat(result.remainingSessions()).isZero();
    assertThat(members(stableGroup)).doesNotContainKey(target.id()).hasSize(3);
    assertThat(
            elb.describeTargetHealth(
                    r -> r.targetGroupArn(stableGroup).targets(Elbv2Router.describe(target)))
                .targetHealthDescriptions()
                .get(0)
                .targetHealth()
                .reasonAsString())
        .isEqualTo("Target.NotRegistered");
    assertThat(beats).isNotEmpty();
    assertThat(router().drain(target, Duration.ofSeconds(5), Heartbeat.NONE).drained())
        .as("draining a drained target: nothing to deregister, drained at once")
        .isTrue();
    assertThat(router().enable(target, Duration.ofSeconds(5), Heartbeat.NONE).up()).isTrue();
    assertThat(members(stableGroup)).hasSize(4);
  }

  @Test
  void splitMovesTheCanaryIntoItsGroupAndWeighsTheForwardAction() {
    registerFleet(stableGroup);
    Elbv2Router router = router();
    List<Target> canary = fleet.subList(0, 1);
    List<Target> stable = fleet.subList(1, 4);
    String canaryId = canary.get(0).id();

    router.split(canary, stable, 0);

    assertThat(weights()).containsExactly(Map.entry(stableGroup, 100), Map.entry(canaryGroup, 0));
    assertThat(members(canaryGroup)).containsOnlyKeys(canaryId);
    assertThat(members(stableGroup)).containsOnlyKeys(stable.stream().map(Target::id).toList());

    // The canary is replaced as a rolling step would: drained, then enabled back into its group.
    assertThat(router.homeOf(canary.get(0))).isEqualTo(canaryGroup);
    assertThat(router().drain(canary.get(0), Duration.ofSeconds(5), Heartbeat.NONE).drained())
        .isTrue();
    assertThat(members(canaryGroup)).isEmpty();
    assertThat(router().enable(canary.get(0), Duration.ofSeconds(5), Heartbeat.NONE).up())
        .as("a router built anew (another worker) finds the canary's group in its tag")
        .isTrue();
    assertThat(members(canaryGroup)).containsOnlyKeys(canaryId);
    assertThat(members(stableGroup)).hasSize(3);

    router.split(canary, stable, 25);
    assertThat(weights()).containsExactly(Map.entry(stableGroup, 75), Map.entry(canaryGroup, 25));
    router.split(canary, stable, 25);
    assertThat(router.forwardWeights()).as("idempotent").isEqualTo(weights());

    router.split(canary, stable, 100);
    assertThat(weights()).containsExactly(Map.entry(stableGroup, 0), Map.entry(canaryGroup, 100));

    router.split(fleet, List.of(), 100);
    assertThat(weights())
        .as("the whole fleet back in the stable group")
        .containsExactly(Map.entry(stableGroup, 100), Map.entry(canaryGroup, 0));
    assertThat(members(stableGroup)).hasSize(4);
    assertThat(members(canaryGroup)).isEmpty();
    assertThat(router.homeOf(canary.get(0))).isEqualTo(stableGroup);
    assertThat(elb.describeTags(r -> r.resourceArns(canaryGroup)).tagDescriptions().get(0).tags())
        .isEmpty();
  }

  /** A router whose ELBv2 calls are named in {@code calls} as they are made. */
  private Elbv2Router countingRouter(Elbv2Router like, List<String> calls) {
    ElasticLoadBalancingV2Client client =
        ElasticLoadBalancingV2Client.builder()
            .region(Region.of(MotoServer.REGION))
            .endpointOverride(moto.endpoint())
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .overrideConfiguration(
                o ->
                    o.addExecutionInterceptor(
                        new ExecutionInterceptor() {
                          @Override
                          public void beforeExecution(
                              Context.BeforeExecution context, ExecutionAttributes attributes) {
                            calls.add(
                                attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
                          }
                        }))
            .build();
    return new Elbv2Router(new Elbv2Api(client), like.config());
  }

  @Test
  void aCutAfterASplitChangesTheListenerWithItsFirstCall() {
    registerFleet(stableGroup);
    List<String> calls = new CopyOnWriteArrayList<>();
    Elbv2Router router = countingRouter(router(), calls);
    List<Target> canary = fleet.subList(0, 1);
    List<Target> stable = fleet.subList(1, 4);
    router.split(canary, stable, 25);
    calls.clear();

    router.split(canary, stable, 0);

    assertThat(calls).first().isEqualTo("ModifyListener");
    assertThat(weights()).containsExactly(Map.entry(stableGroup, 100), Map.entry(canaryGroup, 0));
    assertThat(calls).as("then read back as any split").contains("DescribeTargetHealth");
    assertThat(members(canaryGroup)).containsOnlyKeys(canary.get(0).id());

    calls.clear();
    countingRouter(router(), calls).split(canary, stable, 25);
    assertThat(calls)
        .as("a router built anew (another worker) reads before it changes")
        .first()
        .isEqualTo("DescribeTargetGroups");
    assertThat(weights()).containsExactly(Map.entry(stableGroup, 75), Map.entry(canaryGroup, 25));

    calls.clear();
    router.split(fleet.subList(0, 2), fleet.subList(2, 4), 0);
    assertThat(calls)
        .as("other targets move: checked before the load balancer changes")
        .first()
        .isEqualTo("DescribeTargetGroups");
    assertThat(members(canaryGroup)).hasSize(2);
  }

  @Test
  void splitRefusesWhatCannotBeWeighed() {
    Elbv2Router router = router();
    List<Target> canary = fleet.subList(0, 1);
    List<Target> stable = fleet.subList(1, 4);

    assertThatThrownBy(() -> router.split(canary, stable, 101))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("elbv2: canary percent must be 0 to 100, not 101");
    assertThatThrownBy(() -> router.split(List.of(), stable, 10))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("elbv2: no canary targets to send 10% of the traffic to");
    assertThatThrownBy(() -> router.split(canary, canary, 10))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("is both canary and stable");
    assertThatThrownBy(() -> poolRouter().split(canary, stable, 10))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("elbv2: split needs the setting 'targetGroup'");
  }

  @Test
  void switchPoolPointsTheListenerAtThePoolsGroupInOneChange() {
    elb.modifyListener(
        r ->
            r.listenerArn(listener)
                .defaultActions(
                    Action.builder()
                        .type(ActionTypeEnum.FORWARD)
                        .targetGroupArn(blueGroup)
                        .build()));
    Elbv2Router router = poolRouter();
    Target blue = new Target(fleet.get(0).id(), "10.0.0.1", 8080, "blue");
    Target green = new Target(fleet.get(1).id(), "10.0.0.2", 8080, "green");
    assertThat(router.enable(blue, Duration.ofSeconds(5), Heartbeat.NONE).up()).isTrue();
    assertThat(router.enable(green, Duration.ofSeconds(5), Heartbeat.NONE).up()).isTrue();
    assertThat(members(blueGroup)).containsOnlyKeys(blue.id());
    assertThat(members(greenGroup)).containsOnlyKeys(green.id());

    assertThat(router.activePool()).isEqualTo("blue");
    router.switchPool("green");

    assertThat(weights()).containsExactly(Map.entry(greenGroup, 1));
    assertThat(router.activePool()).isEqualTo("green");
    assertThat(poolRouter().activePool()).as("read from AWS, not remembered").isEqualTo("green");
    router.switchPool("green");
    assertThat(router.activePool()).as("idempotent").isEqualTo("green");
    router.switchPool("blue");
    assertThat(weights()).containsExactly(Map.entry(blueGroup, 1));
    assertThat(router().activePool()).as("a router without pools has none").isNull();

    List<String> calls = new CopyOnWriteArrayList<>();
    Elbv2Router counted = countingRouter(poolRouter(), calls);
    counted.switchPool("green");
    calls.clear();
    counted.switchPool("blue");
    assertThat(calls)
        .as("a switch back changes the listener first")
        .first()
        .isEqualTo("ModifyListener");
    assertThat(weights()).containsExactly(Map.entry(blueGroup, 1));
  }

  @Test
  void switchPoolToAnUnknownPoolIsAConfigurationError() {
    assertThatThrownBy(() -> poolRouter().switchPool("purple"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("elbv2: unknown pool 'purple' (pools: blue, green)");
    assertThatThrownBy(() -> router().switchPool("blue"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("elbv2: switchPool needs pools");
  }

  @Test
  void awsRefusalsFailAtOnceWithAwsWords() {
    String missingGroup = stableGroup.replace("shop-stable", "shop-missing");
    Map<String, Object> unknownGroup = settings();
    unknownGroup.put("targetGroup", missingGroup);
    TrafficRouter router = Elbv2Router.fromRef(new ProviderRef(Elbv2Router.TYPE, unknownGroup));
    assertThatThrownBy(() -> router.enable(fleet.get(0), Duration.ofSeconds(1), Heartbeat.NONE))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith(
            "elbv2: DescribeTargetHealth " + missingGroup + " refused: TargetGroupNotFound");

    Map<String, Object> unknownListener = settings();
    unknownListener.put("listener", listener.replaceAll(".$", "0") + "0");
    assertThatThrownBy(
            () ->
                Elbv2Router.fromRef(new ProviderRef(Elbv2Router.TYPE, unknownListener))
                    .split(fleet.subList(0, 1), fleet.subList(1, 4), 10))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("refused: ListenerNotFound");
    assertThat(members(stableGroup)).as("a refused split moves no target").isEmpty();

    Target stopped = fleet.get(2);
    ec2.stopInstances(r -> r.instanceIds(stopped.id()));
    assertThatThrownBy(() -> router().enable(stopped, Duration.ofSeconds(1), Heartbeat.NONE))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("refused: InvalidTarget");
  }

  @Test
  void withARuleSetTheRulesForwardActionIsTheOneWeighedAndSwitched() {
    String rule =
        elb.createRule(
                r ->
                    r.listenerArn(listener)
                        .priority(10)
                        .conditions(
                            RuleCondition.builder().field("path-pattern").values("/api/*").build())
                        .actions(
                            Action.builder()
                                .type(ActionTypeEnum.FORWARD)
                                .targetGroupArn(stableGroup)
                                .build()))
            .rules()
            .get(0)
            .ruleArn();
    Map<String, Object> settings = settings();
    settings.put("rule", rule);
    Elbv2Router router = Elbv2Router.fromRef(new ProviderRef(Elbv2Router.TYPE, settings));
    registerFleet(stableGroup);

    router.split(fleet.subList(0, 1), fleet.subList(1, 4), 10);

    Action forward = elb.describeRules(r -> r.ruleArns(rule)).rules().get(0).actions().get(0);
    Map<String, Integer> ruleWeights = new LinkedHashMap<>();
    forward
        .forwardConfig()
        .targetGroups()
        .forEach(t -> ruleWeights.put(t.targetGroupArn(), t.weight()));
    assertThat(ruleWeights).containsExactly(Map.entry(stableGroup, 90), Map.entry(canaryGroup, 10));
    assertThat(
            elb.describeListeners(r -> r.listenerArns(listener))
                .listeners()
                .get(0)
                .defaultActions()
                .get(0)
                .targetGroupArn())
        .as("the listener's default action is left alone")
        .isEqualTo(stableGroup);
  }

  @Test
  void ipTargetsAreRegisteredByAddressAndPort() {
    String ipGroup =
        elb.createTargetGroup(
                r ->
                    r.name("shop-ip")
                        .protocol(ProtocolEnum.HTTP)
                        .port(8080)
                        .vpcId(alb.vpc())
                        .targetType(TargetTypeEnum.IP))
            .targetGroups()
            .get(0)
            .targetGroupArn();
    Map<String, Object> settings = settings();
    settings.put("targetGroup", ipGroup);
    settings.remove("canaryTargetGroup");
    TrafficRouter router = Elbv2Router.fromRef(new ProviderRef(Elbv2Router.TYPE, settings));
    Target target = new Target("172.31.0.10", "172.31.0.10", 9090, null);

    assertThat(router.enable(target, Duration.ofSeconds(5), Heartbeat.NONE).up()).isTrue();
    TargetHealthDescription registered =
        elb.describeTargetHealth(r -> r.targetGroupArn(ipGroup)).targetHealthDescriptions().get(0);
    assertThat(registered.target().id()).isEqualTo("172.31.0.10");
    assertThat(registered.target().port()).isEqualTo(9090);
    assertThat(router.drain(target, Duration.ofSeconds(5), Heartbeat.NONE).drained()).isTrue();
    assertThat(members(ipGroup)).isEmpty();
  }

  @Test
  void aProfileNamesTheCredentialsInsteadOfTheDefaultChain() throws Exception {
    Path credentials = dir.resolve("credentials");
    Files.writeString(
        credentials,
        "[sluice-test]\naws_access_key_id = profile-key\naws_secret_access_key = profile-secret\n");
    String before = System.getProperty("aws.sharedCredentialsFile");
    System.setProperty("aws.sharedCredentialsFile", credentials.toString());
    try {
      Map<String, Object> settings = settings();
      settings.put("profile", "sluice-test");
      TrafficRouter router = Elbv2Router.fromRef(new ProviderRef(Elbv2Router.TYPE, settings));
      assertThat(router.enable(fleet.get(0), Duration.ofSeconds(5), Heartbeat.NONE).up()).isTrue();

      settings.put("profile", "no-such-profile");
      TrafficRouter unknown = Elbv2Router.fromRef(new ProviderRef(Elbv2Router.TYPE, settings));
      assertThatThrownBy(() -> unknown.enable(fleet.get(1), Duration.ofSeconds(5), Heartbeat.NONE))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("no-such-profile");
    } finally {
      if (before == null) {
        System.clearProperty("aws.sharedCredentialsFile");
      } else {
        System.setProperty("aws.sharedCredentialsFile", before);
      }
    }
  }

  @Test
  void theStandardRegistryBuildsItFromSettings() {
    TrafficRouter router =
        StandardProviders.registry().router(new ProviderRef(Elbv2Router.TYPE, settings()));
    assertThat(router.enable(fleet.get(3), Duration.ofSeconds(5), Heartbeat.NONE).up()).isTrue();

    Map<String, Object> noRegion = settings();
    noRegion.remove("region");
    assertThatThrownBy(() -> Elbv2Router.fromRef(new ProviderRef(Elbv2Router.TYPE, noRegion)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("elbv2 router: setting 'region' is required");
    Map<String, Object> noGroup = settings();
    noGroup.remove("targetGroup");
    assertThatThrownBy(() -> Elbv2Router.fromRef(new ProviderRef(Elbv2Router.TYPE, noGroup)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'targetGroup' (or 'targetGroups', pool to ARN) is required");
  }
}
