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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataResponse;
import software.amazon.awssdk.services.cloudwatch.model.Metric;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataQuery;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataResult;
import software.amazon.awssdk.services.cloudwatch.model.MetricStat;

/**
 * {@link MetricProvider} over Amazon CloudWatch ({@code GetMetricData}), by default the load
 * balancer's own metrics of a group's target group: the elbv2 router's default metrics, read over
 * the router's settings.
 *
 * <p>Settings ({@link ProviderRef} type {@value #TYPE}), references only, never credentials:
 *
 * <ul>
 *   <li>{@code region} (required), {@code endpoint} and {@code profile}: as for the elbv2 router.
 *   <li>{@code listener} or {@code loadBalancer}: the ARN of the listener (or of its load balancer)
 *       the fleet is behind; its load balancer is the {@code LoadBalancer} dimension of the
 *       built-in metrics. The router's settings carry the listener.
 *   <li>{@code targetGroup}, {@code canaryTargetGroup}, {@code targetGroups}: as for the router;
 *       which target group a query reads: the group of the targets' pool when {@code targetGroups}
 *       names it, the canary group for group {@code canary} when there is one, otherwise {@code
 *       targetGroup}.
 *   <li>{@code namespace} (default {@value #ALB}).
 *   <li>{@code latencyStatistic} (default {@code Average}): the statistic of the built-in latency,
 *       e.g. {@code p99} (an extended statistic) for the slow tail.
 *   <li>{@code metrics} (optional): metrics by the name the analysis gives them, each naming its
 *       own CloudWatch metric: a value metric as {@code {namespace, metric, statistic, dimensions,
 *       scale}}, a ratio metric as {@code {events: {…}, total: {…}}} of two such. Dimension values
 *       may hold {@code {{targetGroup}}}, {@code {{loadBalancer}}}, {@code {{service}}}, {@code
 *       {{version}}} and {@code {{group}}}. {@code scale} multiplies the value (default 1).
 * </ul>
 *
 * <p>Built-in metrics, by the metric's kind; its name does not matter unless {@code metrics} names
 * it:
 *
 * <ul>
 *   <li>{@link Kind#RATIO}: {@code HTTPCode_Target_5XX_Count} out of {@code RequestCount} (both
 *       {@code Sum}) of the target group.
 *   <li>{@link Kind#VALUE}: {@code TargetResponseTime} of the target group in milliseconds, by
 *       {@code latencyStatistic}.
 *   <li>{@link Kind#SAMPLES}: not supported; CloudWatch keeps statistics, not observations.
 * </ul>
 *
 * <p>Windows: one period spanning the query's window, whole minutes (the load balancer publishes
 * per minute; CloudWatch's data lags by a minute or more, so a window shorter than a few minutes
 * may read nothing yet). An empty result, or a ratio over no requests, is {@link Status#NO_DATA},
 * never a pass. Throttling, 5xx and an unreachable endpoint are {@link Status#ERROR}; an error no
 * retry fixes (access denied, a validation error, no credentials) throws {@link
 * ConfigurationException}.
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
   */
  public record Config(
      String namespace,
      String loadBalancer,
      String targetGroup,
      String canaryTargetGroup,
      Map<String, String> targetGroups,
      String latencyStatistic,
      Map<String, Spec> metrics) {}

  /**
   * A user-named metric: {@code value} for a value metric, {@code events} and {@code total} for a
   * ratio.
   */
  public record Spec(Stat value, Stat events, Stat total) {}

  /** One CloudWatch statistic of one metric. */
  public record Stat(
      String namespace,
      String metric,
      String statistic,
      Map<String, String> dimensions,
      double scale) {}

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
            loadBalancer != null
                ? loadBalancerDimension(loadBalancer)
                : listener != null ? listenerDimension(listener) : null,
            settings.string("targetGroup", null),
            settings.string("canaryTargetGroup", null),
            settings.stringMap("targetGroups"),
            settings.string("latencyStatistic", "Average"),
            specs);
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
    stat.refuseUnknown(Set.of("namespace", "metric", "statistic", "dimensions", "scale"));
    Object scale = stat.value("scale");
    double factor;
    try {
      factor = scale == null ? 1 : Double.parseDouble(String.valueOf(scale));
    } catch (NumberFormatException e) {
      throw new ConfigurationException(
          stat.owner() + ": setting 'scale' is not a number: " + scale);
    }
    return new Stat(
        stat.string("namespace", null),
        stat.requiredString("metric"),
        stat.string("statistic", "Sum"),
        stat.stringMap("dimensions"),
        factor);
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
    Map<String, String> values = placeholders(query);
    Spec spec = config.metrics().get(query.metric());
    List<Stat> stats =
        query.kind() == Kind.RATIO
            ? spec != null
                ? List.of(spec.events(), spec.total())
                : List.of(
                    builtIn("HTTPCode_Target_5XX_Count", "Sum", 1),
                    builtIn("RequestCount", "Sum", 1))
            : List.of(
                spec != null
                    ? spec.value()
                    : builtIn("TargetResponseTime", config.latencyStatistic(), 1000));
    Instant end = clock.instant().truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
    long minutes = Math.max(1, (query.window().toSeconds() + 59) / 60);
    Instant start = end.minus(Duration.ofMinutes(minutes));
    // The last statistic (a ratio's total, or the value) decides whether there is data; a ratio's
    // events without datapoints are none, as the load balancer publishes no 5XX count for a
    // minute without a 5xx.
    List<Double> figures = new ArrayList<>();
    List<String> described = new ArrayList<>();
    try {
      for (int i = stats.size() - 1; i >= 0; i--) {
        Stat stat = stats.get(i);
        // CloudWatch ignores the order of dimensions; a fixed one keeps the detail stable.
        Map<String, String> dimensions = new TreeMap<>();
        stat.dimensions().forEach((k, v) -> dimensions.put(k, substitute(v, values)));
        String what = describe(stat, dimensions);
        described.add(0, what);
        Double figure = read(stat, dimensions, start, end, minutes * 60);
        if (figure == null && i == stats.size() - 1) {
          return Sample.noData(
              TYPE + ": no datapoints for " + what + " from " + start + " to " + end);
        }
        figures.add(0, figure == null ? 0 : figure * stat.scale());
      }
    } catch (AwsUnavailableException e) {
      return Sample.error(e.getMessage());
    }
    String detail = String.join(" / ", described) + " from " + start + " to " + end;
    if (query.kind() == Kind.RATIO) {
      long events = Math.round(figures.get(0));
      long total = Math.round(figures.get(1));
      if (total == 0) {
        return Sample.noData(TYPE + ": no requests in " + detail);
      }
      return Sample.ratio(events, total, TYPE + ": " + detail);
    }
    return Sample.value(figures.get(0), TYPE + ": " + detail);
  }

  private Stat builtIn(String metric, String statistic, double scale) {
    Map<String, String> dimensions = new LinkedHashMap<>();
    if (config.loadBalancer() != null) {
      dimensions.put("LoadBalancer", "{{loadBalancer}}");
    }
    dimensions.put("TargetGroup", "{{targetGroup}}");
    return new Stat(config.namespace(), metric, statistic, dimensions, scale);
  }

  private Map<String, String> placeholders(Query query) {
    Map<String, String> values = new TreeMap<>();
    values.put("service", String.valueOf(query.service()));
    values.put("version", String.valueOf(query.version()));
    values.put("group", String.valueOf(query.group()));
    values.put("loadBalancer", String.valueOf(config.loadBalancer()));
    String group = targetGroupOf(query);
    values.put("targetGroup", group == null ? "null" : targetGroupDimension(group));
    return values;
  }

  /** The target group ARN a query reads, by the rule in the class documentation. */
  String targetGroupOf(Query query) {
    List<String> pools = query.targets().stream().map(Target::pool).distinct().toList();
    if (!config.targetGroups().isEmpty() && pools.size() == 1 && pools.get(0) != null) {
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

  private static String substitute(String template, Map<String, String> values) {
    String result = template;
    for (Map.Entry<String, String> entry : values.entrySet()) {
      result = result.replace("{{" + entry.getKey() + "}}", entry.getValue());
    }
    return result;
  }

  private static String describe(Stat stat, Map<String, String> dimensions) {
    return String.format(
        Locale.ROOT, "%s %s %s %s", stat.namespace(), stat.metric(), stat.statistic(), dimensions);
  }

  /** The statistic over [start, end) as one period, or null when CloudWatch has no datapoint. */
  private Double read(
      Stat stat, Map<String, String> dimensions, Instant start, Instant end, long periodSeconds) {
    boolean extended = stat.statistic().matches("(p|tm|wm|tc|ts|pr)[0-9.()%:,]*");
    MetricStat metricStat =
        MetricStat.builder()
            .metric(
                Metric.builder()
                    .namespace(stat.namespace() == null ? config.namespace() : stat.namespace())
                    .metricName(stat.metric())
                    .dimensions(
                        dimensions.entrySet().stream()
                            .map(
                                e ->
                                    Dimension.builder()
                                        .name(e.getKey())
                                        .value(e.getValue())
                                        .build())
                            .toList())
                    .build())
            .period((int) periodSeconds)
            .stat(stat.statistic())
            .build();
    GetMetricDataResponse response =
        AwsCalls.call(
            TYPE,
            "GetMetricData " + stat.metric(),
            () ->
                client.getMetricData(
                    r ->
                        r.startTime(start)
                            .endTime(end)
                            .metricDataQueries(
                                MetricDataQuery.builder()
                                    .id("m")
                                    .metricStat(metricStat)
                                    .returnData(true)
                                    .build())));
    double sum = 0;
    boolean any = false;
    for (MetricDataResult result : response.metricDataResults()) {
      for (Double value : result.values()) {
        if (value != null && !value.isNaN()) {
          sum += value;
          any = true;
        }
      }
    }
    if (!any) {
      return null;
    }
    // One period spans the window, so a statistic other than a sum has one datapoint.
    return extended || !"Sum".equals(stat.statistic()) ? sum / countOf(response) : sum;
  }

  private static long countOf(GetMetricDataResponse response) {
    return Math.max(
        1,
        response.metricDataResults().stream()
            .mapToLong(r -> r.values().stream().filter(v -> v != null && !v.isNaN()).count())
            .sum());
  }
}
