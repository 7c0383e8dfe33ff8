package dev.sluice.activities.fleet.ec2;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.Settings;
import dev.sluice.activities.aws.AwsConnection;
import dev.sluice.activities.aws.AwsUnavailableException;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
import dev.sluice.ports.FleetSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * {@link FleetSource} over EC2: the instances with the given tags in the given states ({@code
 * DescribeInstances} with {@code tag:K} and {@code instance-state-name} filters, every page), each
 * a target.
 *
 * <p>Settings ({@link ProviderRef} type {@code ec2}), references only, never credentials:
 *
 * <ul>
 *   <li>{@code region} (required), {@code endpoint} and {@code profile} (optional): {@link
 *       AwsConnection}.
 *   <li>{@code tags} (required unless {@code filters} is set): an object from tag key to a value or
 *       a list of values (any of which matches); every key must match.
 *   <li>{@code filters} (optional): more {@code DescribeInstances} filters, name to a value or a
 *       list, e.g. {@code {"vpc-id": "vpc-0abc"}}.
 *   <li>{@code states} (default {@code ["running"]}): the instance states that count.
 *   <li>{@code port} (required): the port the service listens on, on every instance.
 *   <li>{@code address} (default {@code private}): which address a target is reached at, {@code
 *       private} (IP), {@code public} (IP), {@code privateDns} or {@code publicDns}; an instance
 *       without one is an error naming it.
 *   <li>{@code idTag} (optional): the tag whose value is the target's id (e.g. {@code Name});
 *       otherwise the instance id. An instance without the tag is an error.
 *   <li>{@code poolTag} (optional): the tag whose value is the target's pool ({@code blue}/{@code
 *       green}); an instance without it has no pool.
 * </ul>
 *
 * <p>A target's zone is its instance's availability zone. Targets come ordered by id.
 */
public final class Ec2FleetSource implements FleetSource {

  /** The provider type this source is registered under. */
  public static final String TYPE = "ec2";

  static final Set<String> SETTINGS =
      Set.of(
          "region",
          "endpoint",
          "profile",
          "tags",
          "filters",
          "states",
          "port",
          "address",
          "idTag",
          "poolTag");

  /** Which of an instance's addresses a target is reached at. */
  public enum Address {
    PRIVATE("private"),
    PUBLIC("public"),
    PRIVATE_DNS("privateDns"),
    PUBLIC_DNS("publicDns");

    private final String setting;

    Address(String setting) {
      this.setting = setting;
    }

    /** The {@code address} setting of {@code settings}; {@code private} when absent. */
    public static Address from(Settings settings) {
      String given = settings.string("address", PRIVATE.setting);
      for (Address address : values()) {
        if (address.setting.equals(given)) {
          return address;
        }
      }
      throw new ConfigurationException(
          settings.owner()
              + ": setting 'address' must be private, public, privateDns or publicDns, got '"
              + given
              + "'");
    }

    /** This address of {@code instance}, or {@code null} when it has none. */
    public String of(Instance instance) {
      String value =
          switch (this) {
            case PRIVATE -> instance.privateIpAddress();
            case PUBLIC -> instance.publicIpAddress();
            case PRIVATE_DNS -> instance.privateDnsName();
            case PUBLIC_DNS -> instance.publicDnsName();
          };
      return value == null || value.isBlank() ? null : value;
    }

    /** As the setting spells it. */
    public String setting() {
      return setting;
    }
  }

  /** The settings, read and checked. */
  public record Config(
      Map<String, List<String>> tags,
      Map<String, List<String>> filters,
      List<String> states,
      int port,
      Address address,
      String idTag,
      String poolTag) {}

  private final Ec2Instances ec2;
  private final Config config;
  private final String region;

  public Ec2FleetSource(Ec2Instances ec2, Config config, String region) {
    this.ec2 = ec2;
    this.config = config;
    this.region = region;
  }

  /**
   * Builds a source from its provider reference; see the class documentation for the settings.
   * Connects to nothing.
   *
   * @throws ConfigurationException when a setting is missing, unknown or malformed
   */
  public static Ec2FleetSource fromRef(ProviderRef ref) {
    Settings settings = new Settings("ec2 fleet source", ref.settings());
    settings.refuseUnknown(SETTINGS);
    Map<String, List<String>> tags = valuesByName(settings, "tags");
    Map<String, List<String>> filters = valuesByName(settings, "filters");
    if (tags.isEmpty() && filters.isEmpty()) {
      throw new ConfigurationException(
          "ec2 fleet source: setting 'tags' is required (at least one tag, so that a deployment"
              + " never takes every instance of the region)");
    }
    List<String> states =
        settings.stringList("states", List.of(InstanceStateName.RUNNING.toString()));
    for (String state : states) {
      if (InstanceStateName.fromValue(state) == InstanceStateName.UNKNOWN_TO_SDK_VERSION) {
        throw new ConfigurationException(
            "ec2 fleet source: setting 'states' names an unknown state '"
                + state
                + "'; known: "
                + InstanceStateName.knownValues());
      }
    }
    if (states.isEmpty()) {
      throw new ConfigurationException(
          "ec2 fleet source: setting 'states' must name at least one state");
    }
    Config config =
        new Config(
            tags,
            filters,
            states,
            port(settings),
            Address.from(settings),
            blankToNull(settings.string("idTag", null)),
            blankToNull(settings.string("poolTag", null)));
    AwsConnection connection = AwsConnection.from(settings, "ec2 fleet source");
    return new Ec2FleetSource(Ec2Instances.of(connection), config, connection.region());
  }

  public Config config() {
    return config;
  }

  /**
   * The matching instances as targets, ordered by id.
   *
   * @throws ConfigurationException when none matches, an instance lacks the address or the id tag
   *     asked for, two share an id, or AWS refuses the request
   * @throws AwsUnavailableException when EC2 cannot be reached or keeps failing
   */
  @Override
  public List<Target> targets() {
    List<Filter> filters = new ArrayList<>();
    config.tags().forEach((key, values) -> filters.add(filter("tag:" + key, values)));
    config.filters().forEach((name, values) -> filters.add(filter(name, values)));
    filters.add(filter("instance-state-name", config.states()));
    List<Instance> instances = ec2.matching(filters);
    if (instances.isEmpty()) {
      throw new ConfigurationException(
          "ec2 fleet source: no instance in "
              + region
              + " matches "
              + Ec2Instances.describe(filters)
              + "; a deployment needs at least one target");
    }
    Map<String, Target> targets = new LinkedHashMap<>();
    Map<String, String> instanceOf = new LinkedHashMap<>();
    for (Instance instance : instances) {
      Target target = target(instance);
      String other = instanceOf.put(target.id(), instance.instanceId());
      targets.put(target.id(), target);
      if (other != null) {
        throw new ConfigurationException(
            "ec2 fleet source: instances "
                + other
                + " and "
                + instance.instanceId()
                + " both have id '"
                + target.id()
                + "' (idTag "
                + config.idTag()
                + "); target ids must be unique");
      }
    }
    return targets.values().stream().sorted(Comparator.comparing(Target::id)).toList();
  }

  private Target target(Instance instance) {
    Map<String, String> tags = tags(instance);
    String id = instance.instanceId();
    if (config.idTag() != null) {
      id = tags.get(config.idTag());
      if (id == null || id.isBlank()) {
        throw new ConfigurationException(
            "ec2 fleet source: instance "
                + instance.instanceId()
                + " has no tag '"
                + config.idTag()
                + "' (idTag) to name it by");
      }
    }
    String host = config.address().of(instance);
    if (host == null) {
      throw new ConfigurationException(
          "ec2 fleet source: instance "
              + instance.instanceId()
              + " has no "
              + config.address().setting()
              + " address (setting 'address')");
    }
    String pool = config.poolTag() == null ? null : blankToNull(tags.get(config.poolTag()));
    String zone = instance.placement() == null ? null : instance.placement().availabilityZone();
    return new Target(id, host, config.port(), pool, blankToNull(zone));
  }

  private static Map<String, String> tags(Instance instance) {
    Map<String, String> tags = new LinkedHashMap<>();
    for (Tag tag : instance.tags()) {
      tags.put(tag.key(), tag.value());
    }
    return tags;
  }

  private static Filter filter(String name, List<String> values) {
    return Filter.builder().name(name).values(values).build();
  }

  /** The {@code port} setting, required, between 1 and 65535. */
  static int port(Settings settings) {
    if (settings.value("port") == null) {
      throw new ConfigurationException(settings.owner() + ": setting 'port' is required");
    }
    int port = settings.integer("port", 0);
    if (port < 1 || port > 65535) {
      throw new ConfigurationException(
          settings.owner() + ": setting 'port' must be between 1 and 65535");
    }
    return port;
  }

  /** An object from name to a value or a list of values; empty when absent. */
  private static Map<String, List<String>> valuesByName(Settings settings, String key) {
    Object raw = settings.value(key);
    if (raw == null) {
      return Map.of();
    }
    if (!(raw instanceof Map<?, ?> map)) {
      throw new ConfigurationException(
          settings.owner() + ": setting '" + key + "' must be an object");
    }
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String name = String.valueOf(e.getKey());
      Object value = e.getValue();
      List<String> values =
          value instanceof List<?> list
              ? list.stream().map(String::valueOf).toList()
              : value == null ? List.of() : List.of(value.toString());
      if (name.isBlank() || values.isEmpty() || values.stream().anyMatch(String::isBlank)) {
        throw new ConfigurationException(
            settings.owner()
                + ": setting '"
                + key
                + "' needs a non-blank name and at least one non-blank value for each entry");
      }
      out.put(name, values);
    }
    return out;
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
