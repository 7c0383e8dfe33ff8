package dev.sluice.activities.fleet.elbv2;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.Settings;
import dev.sluice.activities.aws.AwsCalls;
import dev.sluice.activities.aws.AwsConnection;
import dev.sluice.activities.aws.AwsUnavailableException;
import dev.sluice.activities.fleet.ec2.Ec2FleetSource.Address;
import dev.sluice.activities.fleet.ec2.Ec2Instances;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
import dev.sluice.ports.FleetSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetDescription;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetHealthDescription;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetHealthStateEnum;

/**
 * {@link FleetSource} over the registered targets of one or more ELBv2 target groups ({@code
 * DescribeTargetHealth}). A target's id is its registered id, as the {@code elbv2} router expects:
 * an instance id for groups of type {@code instance}, whose address EC2's {@code DescribeInstances}
 * gives; an IP address for groups of type {@code ip}, which is also its host.
 *
 * <p>Settings ({@link ProviderRef} type {@code elbv2}), references only, never credentials:
 *
 * <ul>
 *   <li>{@code region} (required), {@code endpoint} and {@code profile} (optional): {@link
 *       AwsConnection}.
 *   <li>{@code targetGroup}: the target group's ARN; or {@code targetGroups}: an object from pool
 *       name to target group ARN (a blue-green fleet: each group's targets are in its pool).
 *   <li>{@code port} (optional): the port to reach every target at; otherwise the port it is
 *       registered on.
 *   <li>{@code address} (default {@code private}): for instance targets, which address of the
 *       instance ({@code private}, {@code public}, {@code privateDns}, {@code publicDns}).
 * </ul>
 *
 * <p>Left out: targets {@code draining} (on their way out), and instances not {@code running}
 * (stopped, terminated or gone: nothing can be deployed to them). A target's zone is its instance's
 * availability zone, or the {@code AvailabilityZone} an IP target is registered with ({@code all},
 * an IP outside the VPC, means none). A target registered twice (on two ports, or in two pools) is
 * an error: a target id names one server. Targets come ordered by id. Only registered targets are
 * seen: one a failed deployment left deregistered is not in the next deployment's fleet.
 */
public final class Elbv2FleetSource implements FleetSource {

  /** The provider type this source is registered under. */
  public static final String TYPE = "elbv2";

  static final Set<String> SETTINGS =
      Set.of("region", "endpoint", "profile", "targetGroup", "targetGroups", "port", "address");

  /** A registered target's availability zone when it is an IP outside the target group's VPC. */
  static final String ANY_ZONE = "all";

  /** The settings, read and checked: pool (or {@code null}) to target group ARN. */
  public record Config(Map<String, String> groups, Integer port, Address address) {}

  private final ElasticLoadBalancingV2Client elb;
  private final Ec2Instances ec2;
  private final Config config;

  public Elbv2FleetSource(ElasticLoadBalancingV2Client elb, Ec2Instances ec2, Config config) {
    this.elb = elb;
    this.ec2 = ec2;
    this.config = config;
  }

  /**
   * Builds a source from its provider reference; see the class documentation for the settings.
   * Connects to nothing.
   *
   * @throws ConfigurationException when a setting is missing, unknown or malformed
   */
  public static Elbv2FleetSource fromRef(ProviderRef ref) {
    String owner = "elbv2 fleet source";
    Settings settings = new Settings(owner, ref.settings());
    settings.refuseUnknown(SETTINGS);
    String group = settings.string("targetGroup", null);
    Map<String, String> pools = settings.stringMap("targetGroups");
    if ((group == null || group.isBlank()) == pools.isEmpty()) {
      throw new ConfigurationException(
          owner
              + ": exactly one of the settings 'targetGroup' (an ARN) and 'targetGroups' (pool"
              + " name to ARN) is required");
    }
    Map<String, String> groups = new LinkedHashMap<>();
    if (pools.isEmpty()) {
      groups.put(null, group);
    } else {
      pools.forEach(
          (pool, arn) -> {
            if (pool.isBlank() || arn.isBlank()) {
              throw new ConfigurationException(
                  owner + ": setting 'targetGroups' needs a pool name and an ARN for each entry");
            }
            groups.put(pool, arn);
          });
    }
    Integer port = null;
    if (settings.value("port") != null) {
      port = settings.integer("port", 0);
      if (port < 1 || port > 65535) {
        throw new ConfigurationException(owner + ": setting 'port' must be between 1 and 65535");
      }
    }
    Config config = new Config(groups, port, Address.from(settings));
    AwsConnection connection = AwsConnection.from(settings, owner);
    return new Elbv2FleetSource(
        connection.build(ElasticLoadBalancingV2Client.builder()),
        Ec2Instances.of(connection),
        config);
  }

  public Config config() {
    return config;
  }

  /**
   * The groups' registered targets, ordered by id.
   *
   * @throws ConfigurationException when the groups hold no target, a target is registered twice, an
   *     instance lacks the address asked for, or AWS refuses a request (an unknown ARN)
   * @throws AwsUnavailableException when AWS cannot be reached or keeps failing
   */
  @Override
  public List<Target> targets() {
    List<Registered> registered = new ArrayList<>();
    Set<String> instanceIds = new LinkedHashSet<>();
    for (Map.Entry<String, String> group : config.groups().entrySet()) {
      for (TargetHealthDescription health : health(group.getValue())) {
        if (health.targetHealth() != null
            && health.targetHealth().state() == TargetHealthStateEnum.DRAINING) {
          continue;
        }
        Registered r = new Registered(group.getKey(), group.getValue(), health.target());
        registered.add(r);
        if (r.isInstance()) {
          instanceIds.add(r.target().id());
        }
      }
    }
    Map<String, Instance> instances = new LinkedHashMap<>();
    if (!instanceIds.isEmpty()) {
      ec2.byIds(instanceIds).forEach(i -> instances.put(i.instanceId(), i));
    }
    Map<String, Target> targets = new LinkedHashMap<>();
    for (Registered r : registered) {
      Target target = target(r, instances);
      if (target == null) {
        continue;
      }
      if (targets.put(target.id(), target) != null) {
        throw new ConfigurationException(
            "elbv2 fleet source: target "
                + target.id()
                + " is registered more than once in "
                + config.groups().values()
                + "; a target id names one server, on one port, in one pool");
      }
    }
    if (targets.isEmpty()) {
      throw new ConfigurationException(
          "elbv2 fleet source: no registered target"
              + (instances.isEmpty() ? "" : " on a running instance")
              + " in "
              + config.groups().values()
              + "; a deployment needs at least one target");
    }
    return targets.values().stream().sorted(Comparator.comparing(Target::id)).toList();
  }

  /** The target {@code r} stands for; {@code null} for an instance that is not running. */
  private Target target(Registered r, Map<String, Instance> instances) {
    TargetDescription t = r.target();
    if (t.id().startsWith("arn:")) {
      throw new ConfigurationException(
          "elbv2 fleet source: target group "
              + r.group()
              + " holds "
              + t.id()
              + " (a Lambda function or a load balancer): only instance and ip target groups"
              + " hold hosts to deploy to");
    }
    int port = config.port() != null ? config.port() : t.port() == null ? 0 : t.port();
    if (port < 1) {
      throw new ConfigurationException(
          "elbv2 fleet source: target " + t.id() + " has no port; set 'port'");
    }
    if (!r.isInstance()) {
      String zone = t.availabilityZone();
      return new Target(
          t.id(), t.id(), port, r.pool(), zone == null || zone.equals(ANY_ZONE) ? null : zone);
    }
    Instance instance = instances.get(t.id());
    if (instance == null
        || instance.state() == null
        || instance.state().name() != InstanceStateName.RUNNING) {
      return null;
    }
    String host = config.address().of(instance);
    if (host == null) {
      throw new ConfigurationException(
          "elbv2 fleet source: instance "
              + t.id()
              + " has no "
              + config.address().setting()
              + " address (setting 'address')");
    }
    String zone = instance.placement() == null ? null : instance.placement().availabilityZone();
    return new Target(t.id(), host, port, r.pool(), zone == null || zone.isBlank() ? null : zone);
  }

  private List<TargetHealthDescription> health(String group) {
    return AwsCalls.call(
        "elbv2",
        "DescribeTargetHealth " + group,
        () -> elb.describeTargetHealth(r -> r.targetGroupArn(group)).targetHealthDescriptions());
  }

  /** A target as registered in a group of a pool. */
  private record Registered(String pool, String group, TargetDescription target) {

    /** Instance ids start {@code i-}; IP targets are addresses and Lambda targets ARNs. */
    boolean isInstance() {
      return target.id().startsWith("i-");
    }
  }
}
