package dev.sluice.activities.metrics.cloudwatch;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.Settings;
import dev.sluice.activities.aws.AwsCalls;
import dev.sluice.activities.aws.AwsConnection;
import dev.sluice.activities.aws.AwsUnavailableException;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
import dev.sluice.ports.MetricProvider;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataResponse;
import software.amazon.awssdk.services.cloudwatch.model.Metric;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataQuery;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataResult;
import software.amazon.awssdk.services.cloudwatch.model.MetricStat;
import software.amazon.awssdk.services.cloudwatch.model.StatusCode;

/**
 * {@link MetricProvider} over Amazon CloudWatch ({@code GetMetricData}), by default the load
 * balancer's own metrics of a group's target group: the elbv2 router's default metrics, read over
 * the router's settings.
 *
 * <p>Settings ({@link ProviderRef} type {@value #TYPE}), references only, never credentials:
 *
 * <ul>
 *   <li>{@code region} (required), {@code endpoint} and {@code profile}: as for the elbv2 router.
 *   <li>{@code listener}, {@code rule} or {@code loadBalancer}: the ARN of the listener (of its
 *       rule, or of its load balancer) the fleet is behind; its load balancer is the {@code
 *       LoadBalancer} dimension of the built-in metrics. The router's settings carry the listener
 *       or the rule.
 *   <li>{@code targetGroup}, {@code canaryTargetGroup}, {@code targetGroups}: as for the router;
 *       which target group a query reads: the group of the targets' pool when {@code targetGroups}
 *       names it, the canary group for group {@code canary} when there is one, otherwise {@code
 *       targetGroup}.
 *   <li>{@code namespace} (default {@value #ALB}).
 *   <li>{@code latencyStatistic} (default {@code Average}): the statistic of the built-in latency,
 *       e.g. {@code p99} (an extended statistic) for the slow tail.
 *   <li>{@code lag} (default {@code 2m}): how far behind now a window ends, as CloudWatch publishes
 *       a load balancer's minute a minute or two after it ends.
 *   <li>{@code metrics} (optional): metrics by the name the analysis gives them, each naming its
 *       own CloudWatch metric: a value metric as {@code {namespace, metric, statistic, dimensions,
 *       scale}}, a ratio metric as {@code {events: {…}, total: {…}}} of two such. Dimension values
 *       may hold {@code {{targetGroup}}}, {@code {{loadBalancer}}}, {@code {{service}}}, {@code
 *       {{version}}} and {@code {{group}}}; any other {@code {{…}}} is refused. {@code scale}
 *       multiplies the value (default 1); {@code missingIsZero: true} reads a statistic without
 *       datapoints as 0 (a count the publisher leaves out when it is 0), otherwise it is no data.
 * </ul>
 *
 * <p>Built-in metrics, by the metric's kind; its name does not matter unless {@code metrics} names
 * it:
 *
 * <ul>
 *   <li>{@link Kind#RATIO}: {@code HTTPCode_Target_5XX_Count} plus {@code
 *       TargetConnectionErrorCount} (answers 5xx and connections the load balancer could not make)
 *       out of {@code RequestCount}, all {@code Sum}, of the target group. The load balancer
 *       publishes no error count for a minute without errors, so those read 0 when absent; only a
 *       {@code RequestCount} without datapoints is no data. ALB metrics: an NLB's target groups
 *       have none of these.
 *   <li>{@link Kind#VALUE}: {@code TargetResponseTime} of the target group in milliseconds, by
 *       {@code latencyStatistic}.
 *   <li>{@link Kind#SAMPLES}: not supported; CloudWatch keeps statistics, not observations.
 * </ul>
 *
 * <p>Windows: one period spanning the query's window in whole minutes, ending {@code lag} before
 * now on a minute boundary, so consecutive windows tile time without reading a minute CloudWatch
 * has not finished. The statistics of one fetch come from one {@code GetMetricData} call. An empty
 * result, or a ratio over no requests, is {@link Status#NO_DATA}, never a pass. Throttling, 5xx and
 * an unreachable endpoint are {@link Status#ERROR}; an error no retry fixes (access denied, a
 * validation error, no credentials) throws {@link ConfigurationException}.
 */
public final class CloudWatchProvider implements MetricProvider {

  /** The provider type this provider is registered under. */
  public static final String TYPE = "cloudwatch";

  /** The namespace of Application Load Balancer metrics. */
  public static final String ALB = "AWS/ApplicationELB";

  private static final Set<String> SETTINGS =
      Set.of(
          "region",
          "endpoint",
          "profile",
          "listener",
          "loadBalancer",
          "rule",
          "targetGroup",
          "canaryTargetGroup",
          "targetGroups",
          "pollInterval",
          "maxPollInterval",
          "namespace",
          "latencyStatistic",
          "lag",
          "metrics");

  private final CloudWatchClient client;
  private final Config config;
  private final Clock clock;

  /**
   * @param loadBalancer the load balancer's dimension value ({@code app/name/id}), or null
   * @param targetGroup the target group ARN of a fleet without pools, or null
   * @param canaryTargetGroup the canary group's ARN, or null
   * @param targetGroups pool name to target group ARN
   * @param metrics user-named metrics by the analysis's name
   * @param lag how far behind now a window ends
   */
  public record Config(
      String namespace,
      String loadBalancer,
      String targetGroup,
      String canaryTargetGroup,
      Map<String, String> targetGroups,
      String latencyStatistic,
      Map<String, Spec> metrics,
      Duration lag) {}

  /**
   * A user-named metric: {@code value} for a value metric, {@code events} and {@code total} for a
   * ratio.
   */
  public record Spec(Stat value, Stat events, Stat total) {}

  /** One CloudWatch statistic of one metric; {@code missingIsZero}: no datapoints read as 0. */
  public record Stat(
      String namespace,
      String metric,
      String statistic,
      Map<String, String> dimensions,
      double scale,
      boolean missingIsZero) {}

  /** A provider reading {@code client} by {@code config}, its windows ending by {@code clock}. */
  public CloudWatchProvider(CloudWatchClient client, Config config, Clock clock) {
    this.client = client;
    this.config = config;
    this.clock = clock;
  }

  /**
   * Builds a provider from its reference; see the class documentation for the settings. Connects to
   * nothing.
   *
   * @throws ConfigurationException when a setting is missing or malformed
   */
  public static CloudWatchProvider fromRef(ProviderRef ref) {
    Settings settings = new Settings(TYPE, ref.settings());
    settings.refuseUnknown(SETTINGS);
    String loadBalancer = settings.string("loadBalancer", null);
    String listener = settings.string("listener", null);
    String rule = settings.string("rule", null);
    Settings metrics = settings.section("metrics");
    Map<String, Spec> specs = new TreeMap<>();
    if (ref.settings().get("metrics") instanceof Map<?, ?> map) {
      for (Object name : map.keySet()) {
        specs.put(String.valueOf(name), spec(metrics.section(String.valueOf(name))));
      }
    }
    Config config =
        new Config(
            settings.string("namespace", ALB),
            loadBalancerOf(loadBalancer, listener, rule),
            settings.string("targetGroup", null),
            settings.string("canaryTargetGroup", null),
            settings.stringMap("targetGroups"),
            settings.string("latencyStatistic", "Average"),
            specs,
            settings.duration("lag", Duration.ofMinutes(2)));
    return new CloudWatchProvider(
        AwsConnection.from(settings, TYPE).build(CloudWatchClient.builder()),
        config,
        Clock.systemUTC());
  }

  private static Spec spec(Settings metric) {
    if (metric.value("events") != null || metric.value("total") != null) {
      metric.refuseUnknown(Set.of("events", "total"));
      return new Spec(null, stat(metric.section("events")), stat(metric.section("total")));
    }
    return new Spec(stat(metric), null, null);
  }

  private static Stat stat(Settings stat) {
    stat.refuseUnknown(
        Set.of("namespace", "metric", "statistic", "dimensions", "scale", "missingIsZero"));
    Object scale = stat.value("scale");
    double factor;
    try {
      factor = scale == null ? 1 : Double.parseDouble(String.valueOf(scale));
    } catch (NumberFormatException e) {
      throw new ConfigurationException(
          stat.owner() + ": setting 'scale' is not a number: " + scale);
    }
    return new Stat(
        stat.string("namespace", ALB),
        stat.requiredString("metric"),
        stat.string("statistic", "Sum"),
        stat.stringMap("dimensions"),
        factor,
        Boolean.parseBoolean(String.valueOf(stat.value("missingIsZero"))));
  }

  /**
   * The {@code LoadBalancer} dimension from whichever ARN is set, the load balancer's first; null
   * when none is.
   */
  static String loadBalancerOf(String loadBalancer, String listener, String rule) {
    if (loadBalancer != null) {
      return loadBalancerDimension(loadBalancer);
    }
    if (listener != null) {
      return listenerDimension(listener);
    }
    return rule == null ? null : ruleDimension(rule);
  }

  /** {@code app/name/id} of {@code arn:…:loadbalancer/app/name/id}. */
  static String loadBalancerDimension(String arn) {
    int at = arn.indexOf(":loadbalancer/");
    if (at < 0) {
      throw new ConfigurationException(
          TYPE + ": setting 'loadBalancer' is not a load balancer ARN: " + arn);
    }
    return arn.substring(at + ":loadbalancer/".length());
  }

  /** {@code app/name/id} of {@code arn:…:listener/app/name/id/listener-id}. */
  static String listenerDimension(String arn) {
    int at = arn.indexOf(":listener/");
    int last = arn.lastIndexOf('/');
    if (at < 0 || last <= at + ":listener/".length()) {
      throw new ConfigurationException(TYPE + ": setting 'listener' is not a listener ARN: " + arn);
    }
    return arn.substring(at + ":listener/".length(), last);
  }

  /** {@code app/name/id} of {@code arn:…:listener-rule/app/name/id/listener-id/rule-id}. */
  static String ruleDimension(String arn) {
    int at = arn.indexOf(":listener-rule/");
    String[] parts = at < 0 ? new String[0] : arn.substring(at + 15).split("/");
    if (parts.length != 5) {
      throw new ConfigurationException(
          TYPE + ": setting 'rule' is not a listener rule ARN: " + arn);
    }
    return parts[0] + "/" + parts[1] + "/" + parts[2];
  }

  /** {@code targetgroup/name/id} of {@code arn:…:targetgroup/name/id}. */
  static String targetGroupDimension(String arn) {
    int at = arn.indexOf(":targetgroup/");
    if (at < 0) {
      throw new ConfigurationException(TYPE + ": '" + arn + "' is not a target group ARN");
    }
    return arn.substring(at + 1);
  }

  @Override
  public String cannotServe(String metric, Kind kind) {
    Spec spec = config.metrics().get(metric);
    if (spec != null) {
      if (kind == Kind.RATIO && spec.events() == null) {
        return TYPE
            + ": metric '"
            + metric
            + "' is a ratio, but 'metrics' gives it no events/total";
      }
      if (kind == Kind.VALUE && spec.value() == null) {
        return TYPE + ": metric '" + metric + "' is a value, but 'metrics' gives it events/total";
      }
    }
    return cannotServe(kind);
  }

  @Override
  public String cannotServe(Kind kind) {
    return kind == Kind.SAMPLES
        ? TYPE + " keeps statistics, not individual observations: no samples metric"
        : null;
  }

  /** The load balancer publishes per minute. */
  @Override
  public Duration resolution() {
    return Duration.ofMinutes(1);
  }

  /** Windows end {@code lag} before now. */
  @Override
  public Duration delay() {
    return config.lag();
  }

  @Override
  public String cannotCompareCohorts() {
    return TYPE + "'s load balancer metrics are by target group, not by a flag's cohort";
  }

  @Override
  public Sample fetch(Query query) {
    String cannot = cannotServe(query.metric(), query.kind());
    if (cannot != null) {
      return Sample.noData(cannot);
    }
    Spec spec = config.metrics().get(query.metric());
    List<Stat> stats = spec != null ? named(spec, query.kind()) : builtIn(query.kind());
    Map<String, String> values = placeholders(query, spec == null);
    Instant end = clock.instant().minus(config.lag()).truncatedTo(ChronoUnit.MINUTES);
    long minutes = Math.max(1, (query.window().toSeconds() + 59) / 60);
    Instant start = end.minus(Duration.ofMinutes(minutes));
    List<Query1> queries = new ArrayList<>();
    for (int i = 0; i < stats.size(); i++) {
      queries.add(new Query1("m" + i, stats.get(i), dimensions(stats.get(i), values)));
    }
    Map<String, Double> figures;
    try {
      figures = read(queries, start, end, (int) (minutes * 60));
    } catch (AwsUnavailableException e) {
      return Sample.error(e.getMessage());
    }
    String window = " from " + start + " to " + end;
    // The last statistic (a ratio's total, or the value) decides whether there is data.
    Query1 last = queries.get(queries.size() - 1);
    if (figures.get(last.id()) == null) {
      return Sample.noData(TYPE + ": no datapoints for " + last.describe() + window);
    }
    String detail =
        TYPE + ": " + String.join(" / ", queries.stream().map(Query1::describe).toList()) + window;
    if (query.kind() != Kind.RATIO) {
      return Sample.value(figures.get(last.id()) * last.stat().scale(), detail);
    }
    double events = 0;
    for (Query1 q : queries.subList(0, queries.size() - 1)) {
      Double figure = figures.get(q.id());
      if (figure == null && !q.stat().missingIsZero()) {
        return Sample.noData(TYPE + ": no datapoints for " + q.describe() + window);
      }
      events += figure == null ? 0 : figure * q.stat().scale();
    }
    long total = Math.round(figures.get(last.id()) * last.stat().scale());
    if (total == 0) {
      return Sample.noData(TYPE + ": no requests in " + detail);
    }
    return Sample.ratio(Math.round(events), total, detail);
  }

  /** A user-named metric's statistics: a ratio's events then total, or the value. */
  private static List<Stat> named(Spec spec, Kind kind) {
    return kind == Kind.RATIO ? List.of(spec.events(), spec.total()) : List.of(spec.value());
  }

  /** The built-in statistics of the target group: see the class documentation. */
  private List<Stat> builtIn(Kind kind) {
    if (kind == Kind.RATIO) {
      return List.of(
          builtIn("HTTPCode_Target_5XX_Count", "Sum", 1, true),
          builtIn("TargetConnectionErrorCount", "Sum", 1, true),
          builtIn("RequestCount", "Sum", 1, false));
    }
    return List.of(builtIn("TargetResponseTime", config.latencyStatistic(), 1000, false));
  }

  private Stat builtIn(String metric, String statistic, double scale, boolean missingIsZero) {
    if (config.loadBalancer() == null) {
      throw new ConfigurationException(
          TYPE
              + ": the load balancer's metrics need its ARN: set 'listener', 'rule' or"
              + " 'loadBalancer'");
    }
    return new Stat(
        config.namespace(),
        metric,
        statistic,
        Map.of("LoadBalancer", "{{loadBalancer}}", "TargetGroup", "{{targetGroup}}"),
        scale,
        missingIsZero);
  }

  /**
   * What {@code {{…}}} in dimension values stands for; {@code targetGroup} only when a built-in
   * metric or a dimension asks for it, so a named metric does not need a resolvable target group.
   */
  private Map<String, String> placeholders(Query query, boolean builtIn) {
    Map<String, String> values = new TreeMap<>();
    values.put("service", String.valueOf(query.service()));
    values.put("version", String.valueOf(query.version()));
    values.put("group", String.valueOf(query.group()));
    if (config.loadBalancer() != null) {
      values.put("loadBalancer", config.loadBalancer());
    }
    boolean wanted =
        builtIn
            || config.metrics().values().stream()
                .flatMap(spec -> Stream.of(spec.value(), spec.events(), spec.total()))
                .filter(Objects::nonNull)
                .anyMatch(stat -> stat.dimensions().containsValue("{{targetGroup}}"));
    if (wanted) {
      String group = targetGroupOf(query);
      if (group == null) {
        throw new ConfigurationException(
            TYPE
                + ": no target group for group '"
                + query.group()
                + "': set 'targetGroup' (or 'targetGroups' for pools)");
      }
      values.put("targetGroup", targetGroupDimension(group));
    }
    return values;
  }

  /**
   * The target group ARN a query reads, by the rule in the class documentation.
   *
   * @throws ConfigurationException when the targets span several pools, or their pool is not in
   *     {@code targetGroups}
   */
  String targetGroupOf(Query query) {
    List<Target> targets = query.targets() == null ? List.of() : query.targets();
    List<String> pools = targets.stream().map(Target::pool).distinct().toList();
    if (!config.targetGroups().isEmpty() && !pools.isEmpty() && !pools.equals(NO_POOL)) {
      if (pools.size() > 1) {
        throw new ConfigurationException(
            TYPE
                + ": group '"
                + query.group()
                + "' spans pools "
                + pools
                + ": one target group each");
      }
      String group = config.targetGroups().get(pools.get(0));
      if (group == null) {
        throw new ConfigurationException(
            TYPE + ": pool '" + pools.get(0) + "' is not in 'targetGroups'");
      }
      return group;
    }
    if ("canary".equals(query.group()) && config.canaryTargetGroup() != null) {
      return config.canaryTargetGroup();
    }
    return config.targetGroup();
  }

  private static final List<String> NO_POOL = Collections.singletonList(null);

  /** {@code stat}'s dimensions with their placeholders filled, in name order. */
  private static Map<String, String> dimensions(Stat stat, Map<String, String> values) {
    // CloudWatch ignores the order of dimensions; a fixed one keeps the detail stable.
    Map<String, String> dimensions = new TreeMap<>();
    stat.dimensions()
        .forEach(
            (name, template) -> {
              String value = template;
              for (Map.Entry<String, String> entry : values.entrySet()) {
                value = value.replace("{{" + entry.getKey() + "}}", entry.getValue());
              }
              Matcher left = PLACEHOLDER.matcher(value);
              if (left.find()) {
                throw new ConfigurationException(
                    TYPE
                        + ": dimension '"
                        + name
                        + "' of metric '"
                        + stat.metric()
                        + "' holds "
                        + left.group()
                        + ", which is not one of "
                        + PLACEHOLDERS);
              }
              dimensions.put(name, value);
            });
    return dimensions;
  }

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{[^}]*}}");
  private static final String PLACEHOLDERS =
      "{{targetGroup}}, {{loadBalancer}}, {{service}}, {{version}}, {{group}}";

  /** One statistic of one fetch, with its dimensions filled in. */
  private record Query1(String id, Stat stat, Map<String, String> dimensions) {

    String describe() {
      return String.format(
          Locale.ROOT,
          "%s %s %s %s",
          stat.namespace(),
          stat.metric(),
          stat.statistic(),
          dimensions);
    }
  }

  /**
   * Every query's statistic over [start, end) as one period, in one {@code GetMetricData} call: by
   * query id, absent when CloudWatch has no datapoint.
   *
   * @throws AwsUnavailableException when CloudWatch cannot answer, or answers a query with {@code
   *     InternalError} or more than the one datapoint a window-long period has
   * @throws ConfigurationException when it refuses, or answers a query with {@code Forbidden}
   */
  private Map<String, Double> read(
      List<Query1> queries, Instant start, Instant end, int periodSeconds) {
    List<MetricDataQuery> asked = new ArrayList<>();
    for (Query1 q : queries) {
      asked.add(
          MetricDataQuery.builder()
              .id(q.id())
              .returnData(true)
              .metricStat(
                  MetricStat.builder()
                      .metric(
                          Metric.builder()
                              .namespace(q.stat().namespace())
                              .metricName(q.stat().metric())
                              .dimensions(
                                  q.dimensions().entrySet().stream()
                                      .map(
                                          e ->
                                              Dimension.builder()
                                                  .name(e.getKey())
                                                  .value(e.getValue())
                                                  .build())
                                      .toList())
                              .build())
                      .period(periodSeconds)
                      .stat(q.stat().statistic())
                      .build())
              .build());
    }
    Map<String, Double> figures = new TreeMap<>();
    String what =
        "GetMetricData " + String.join(", ", queries.stream().map(q -> q.stat().metric()).toList());
    String next = null;
    do {
      String token = next;
      GetMetricDataResponse response =
          AwsCalls.call(
              TYPE,
              what,
              () ->
                  client.getMetricData(
                      r ->
                          r.startTime(start)
                              .endTime(end)
                              .metricDataQueries(asked)
                              .nextToken(token)));
      for (MetricDataResult result : response.metricDataResults()) {
        if (result.statusCode() == StatusCode.FORBIDDEN) {
          throw new ConfigurationException(TYPE + ": " + what + " refused: " + messages(result));
        }
        if (result.statusCode() == StatusCode.INTERNAL_ERROR) {
          throw new AwsUnavailableException(TYPE + ": " + what + " failed: " + messages(result));
        }
        List<Double> values =
            result.values().stream().filter(v -> v != null && !v.isNaN()).toList();
        if (values.size() + (figures.containsKey(result.id()) ? 1 : 0) > 1) {
          throw new AwsUnavailableException(
              TYPE + ": " + what + " answered more than one datapoint for " + result.label());
        }
        if (!values.isEmpty()) {
          figures.put(result.id(), values.get(0));
        }
      }
      next = response.nextToken();
    } while (next != null);
    return figures;
  }

  private static String messages(MetricDataResult result) {
    return result.messages().stream().map(m -> m.code() + " " + m.value()).toList().toString();
  }
}
