package dev.sluice.activities.aws;

import dev.sluice.model.Target;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceType;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Subnet;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Action;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ActionTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ProtocolEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetDescription;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetHealthDescription;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetTypeEnum;

/**
 * An Application Load Balancer on moto, made and read through the SDK as a user's infrastructure
 * code would: a load balancer over the region's default subnets, instance target groups, a
 * listener, EC2 instances, and what the listener and the target groups hold. Tests assert the
 * strategies' results through it.
 */
public final class MotoAlb implements AutoCloseable {

  private final ElasticLoadBalancingV2Client elb;
  private final Ec2Client ec2;
  private final List<Subnet> subnets;
  private final String loadBalancer;

  private MotoAlb(MotoServer moto, String name) {
    StaticCredentialsProvider credentials =
        StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));
    elb =
        ElasticLoadBalancingV2Client.builder()
            .region(Region.of(MotoServer.REGION))
            .endpointOverride(moto.endpoint())
            .credentialsProvider(credentials)
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .build();
    ec2 =
        Ec2Client.builder()
            .region(Region.of(MotoServer.REGION))
            .endpointOverride(moto.endpoint())
            .credentialsProvider(credentials)
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .build();
    subnets =
        ec2.describeSubnets(
                r -> r.filters(Filter.builder().name("default-for-az").values("true").build()))
            .subnets();
    if (subnets.size() < 2) {
      throw new IllegalStateException("moto has fewer than two default subnets: " + subnets);
    }
    loadBalancer =
        elb.createLoadBalancer(
                r -> r.name(name).subnets(subnets.get(0).subnetId(), subnets.get(1).subnetId()))
            .loadBalancers()
            .get(0)
            .loadBalancerArn();
  }

  /** A load balancer named {@code name} on {@code moto}, over two default subnets. */
  public static MotoAlb create(MotoServer moto, String name) {
    return new MotoAlb(moto, name);
  }

  /** An HTTP target group of instances on port 8080, checked on {@code /health}; its ARN. */
  public String targetGroup(String name) {
    return elb.createTargetGroup(
            r ->
                r.name(name)
                    .protocol(ProtocolEnum.HTTP)
                    .port(8080)
                    .vpcId(subnets.get(0).vpcId())
                    .targetType(TargetTypeEnum.INSTANCE)
                    .healthCheckPath("/health"))
        .targetGroups()
        .get(0)
        .targetGroupArn();
  }

  /** An HTTP target group of IP addresses on port 8080, checked on {@code /health}; its ARN. */
  public String ipTargetGroup(String name) {
    return elb.createTargetGroup(
            r ->
                r.name(name)
                    .protocol(ProtocolEnum.HTTP)
                    .port(8080)
                    .vpcId(subnets.get(0).vpcId())
                    .targetType(TargetTypeEnum.IP)
                    .healthCheckPath("/health"))
        .targetGroups()
        .get(0)
        .targetGroupArn();
  }

  /** An HTTP listener on port 80 forwarding to {@code group}; its ARN. */
  public String listener(String group) {
    return elb.createListener(
            r ->
                r.loadBalancerArn(loadBalancer)
                    .protocol(ProtocolEnum.HTTP)
                    .port(80)
                    .defaultActions(
                        Action.builder()
                            .type(ActionTypeEnum.FORWARD)
                            .targetGroupArn(group)
                            .build()))
        .listeners()
        .get(0)
        .listenerArn();
  }

  /**
   * {@code count} running instances, spread over the two subnets in turn, so over two availability
   * zones.
   */
  public List<Instance> instances(int count) {
    return instances(count, Map.of());
  }

  /**
   * {@code count} running instances with {@code tags}, spread over the two subnets in turn, so over
   * two availability zones.
   */
  public List<Instance> instances(int count, Map<String, String> tags) {
    String image = ec2.describeImages().images().get(0).imageId();
    List<Tag> tagList =
        tags.entrySet().stream()
            .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build())
            .toList();
    List<Instance> instances = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Subnet subnet = subnets.get(i % 2);
      instances.addAll(
          ec2.runInstances(
                  r -> {
                    r.imageId(image)
                        .instanceType(InstanceType.T3_MICRO)
                        .minCount(1)
                        .maxCount(1)
                        .subnetId(subnet.subnetId());
                    if (!tagList.isEmpty()) {
                      r.tagSpecifications(
                          TagSpecification.builder()
                              .resourceType(ResourceType.INSTANCE)
                              .tags(tagList)
                              .build());
                    }
                  })
              .instances());
    }
    return instances;
  }

  /** Registers {@code targets} (instance ids) in {@code group} on their ports. */
  public void register(String group, List<Target> targets) {
    elb.registerTargets(
        r ->
            r.targetGroupArn(group)
                .targets(
                    targets.stream()
                        .map(t -> TargetDescription.builder().id(t.id()).port(t.port()).build())
                        .toList()));
  }

  /** Target id to its state in {@code group} ({@code healthy}, {@code unused}, …). */
  public Map<String, String> members(String group) {
    Map<String, String> members = new LinkedHashMap<>();
    for (TargetHealthDescription health :
        elb.describeTargetHealth(r -> r.targetGroupArn(group)).targetHealthDescriptions()) {
      members.put(health.target().id(), health.targetHealth().stateAsString());
    }
    return members;
  }

  /**
   * Target group ARN to weight in {@code listener}'s default forward action, as AWS reads it back
   * (a weight left out reads as 1); a plain forward without a forward config reads as its one group
   * at 1.
   */
  public Map<String, Integer> weights(String listener) {
    Action forward =
        elb.describeListeners(r -> r.listenerArns(listener))
            .listeners()
            .get(0)
            .defaultActions()
            .get(0);
    Map<String, Integer> weights = new LinkedHashMap<>();
    if (forward.forwardConfig() == null || forward.forwardConfig().targetGroups().isEmpty()) {
      weights.put(forward.targetGroupArn(), 1);
    } else {
      forward
          .forwardConfig()
          .targetGroups()
          .forEach(t -> weights.put(t.targetGroupArn(), t.weight() == null ? 1 : t.weight()));
    }
    return weights;
  }

  /**
   * Target group ARN to its share of {@code listener}'s traffic in percent: {@link #weights} over
   * their sum, so a forward to one group reads as that group at 100.
   */
  public Map<String, Integer> shares(String listener) {
    Map<String, Integer> weights = weights(listener);
    int sum = weights.values().stream().mapToInt(Integer::intValue).sum();
    Map<String, Integer> shares = new LinkedHashMap<>();
    weights.forEach(
        (group, weight) -> shares.put(group, sum == 0 ? 0 : Math.round(100f * weight / sum)));
    return shares;
  }

  /** The VPC of the load balancer's subnets. */
  public String vpc() {
    return subnets.get(0).vpcId();
  }

  public ElasticLoadBalancingV2Client elb() {
    return elb;
  }

  public Ec2Client ec2() {
    return ec2;
  }

  @Override
  public void close() {
    elb.close();
    ec2.close();
  }
}
