package dev.sluice.activities.metrics.cloudwatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.aws.MotoServer;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
import dev.sluice.ports.MetricProvider.Kind;
import dev.sluice.ports.MetricProvider.Query;
import dev.sluice.ports.MetricProvider.Sample;
import dev.sluice.ports.MetricProvider.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.MetricDatum;

/**
 * The cloudwatch provider against moto in server mode: metric data is put through the SDK as the
 * load balancer would publish it, and read back through the provider. Moto computes the statistics
 * it supports (Sum, Average, Minimum, Maximum, SampleCount); percentiles are not among them, so
 * {@code latencyStatistic: p99} is not shown here. Moto matches dimensions only in the order they
 * were put (its sort of them is broken), so data is put with dimensions in name order, the order
 * the provider asks in; CloudWatch itself ignores the order.
 */
class CloudWatchProviderTest {

  static final String LISTENER =
      "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2";
  static final String STABLE =
      "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/stable/73e2d6bc24d8a067";
  static final String CANARY =
      "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/canary/943f017f100becff";

  @TempDir static Path dir;
  static MotoServer moto;
  static CloudWatchClient cloudWatch;

  @BeforeAll
  static void startMoto() throws Exception {
    moto = MotoServer.start(dir);
    cloudWatch =
        CloudWatchClient.builder()
            .region(Region.of(MotoServer.REGION))
            .endpointOverride(moto.endpoint())
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .build();
  }

  @AfterAll
  static void stopMoto() {
    if (cloudWatch != null) {
      cloudWatch.close();
    }
    if (moto != null) {
      moto.close();
    }
  }

  @BeforeEach
  void emptyMoto() {
    moto.reset();
  }

  static Map<String, Object> settings() {
    Map<String, Object> settings = new HashMap<>();
    settings.put("region", MotoServer.REGION);
    settings.put("endpoint", moto.endpoint().toString());
    settings.put("listener", LISTENER);
    settings.put("targetGroup", STABLE);
    settings.put("canaryTargetGroup", CANARY);
    // The data is put a minute back; a window ending at the last whole minute covers it.
    settings.put("lag", "0s");
    return settings;
  }

  static CloudWatchProvider provider(Map<String, Object> settings) {
    return CloudWatchProvider.fromRef(new ProviderRef(CloudWatchProvider.TYPE, settings));
  }

  static void put(String metric, String targetGroupArn, double... values) {
    Instant at = Instant.now().minusSeconds(90);
    cloudWatch.putMetricData(
        r ->
            r.namespace(CloudWatchProvider.ALB)
                .metricData(
                    Arrays.stream(values)
                        .mapToObj(
                            v ->
                                MetricDatum.builder()
                                    .metricName(metric)
                                    .timestamp(at)
                                    .value(v)
                                    .dimensions(
                                        Dimension.builder()
                                            .name("LoadBalancer")
                                            .value("app/shop/50dc6c495c0c9188")
                                            .build(),
                                        Dimension.builder()
                                            .name("TargetGroup")
                                            .value(
                                                CloudWatchProvider.targetGroupDimension(
                                                    targetGroupArn))
                                            .build())
                                    .build())
                        .toList()));
  }

  static Query query(String group, Kind kind) {
    return new Query(
        "errors",
        kind,
        group,
        List.of(new Target("i-0abc", "10.0.0.1", 8080, null)),
        "shop",
        "2.0.0",
        Duration.ofMinutes(5));
  }

  @Test
  void ratioIsTheTargetGroupsFiveHundredsAndConnectionErrorsOutOfItsRequests() {
    put("RequestCount", STABLE, 150, 50);
    put("HTTPCode_Target_5XX_Count", STABLE, 3);
    put("RequestCount", CANARY, 20);
    put("HTTPCode_Target_5XX_Count", CANARY, 5);
    put("TargetConnectionErrorCount", CANARY, 2);

    Sample baseline = provider(settings()).fetch(query("baseline", Kind.RATIO));
    Sample canary = provider(settings()).fetch(query("canary", Kind.RATIO));

    assertThat(baseline.status()).as(baseline.detail()).isEqualTo(Status.OK);
    assertThat(baseline.events()).isEqualTo(3);
    assertThat(baseline.total()).isEqualTo(200);
    assertThat(canary.status()).as(canary.detail()).isEqualTo(Status.OK);
    assertThat(canary.events()).isEqualTo(7);
    assertThat(canary.total()).isEqualTo(20);
    assertThat(canary.detail()).contains("targetgroup/canary/943f017f100becff");
  }

  @Test
  void valueIsTheResponseTimeInMilliseconds() {
    put("TargetResponseTime", STABLE, 0.1, 0.3);

    Sample latency = provider(settings()).fetch(query("baseline", Kind.VALUE));

    assertThat(latency.status()).as(latency.detail()).isEqualTo(Status.OK);
    assertThat(latency.value()).isCloseTo(200.0, offset(0.001));
  }

  @Test
  void requestsWithoutAFiveHundredCountAreNoErrors() {
    put("RequestCount", STABLE, 120);

    Sample clean = provider(settings()).fetch(query("baseline", Kind.RATIO));

    assertThat(clean.status()).as(clean.detail()).isEqualTo(Status.OK);
    assertThat(clean.events()).isZero();
    assertThat(clean.total()).isEqualTo(120);
  }

  @Test
  void noDatapointsIsNoDataNeverAPass() {
    Sample empty = provider(settings()).fetch(query("baseline", Kind.RATIO));

    assertThat(empty.status()).isEqualTo(Status.NO_DATA);
    assertThat(empty.detail()).contains("no datapoints").contains("RequestCount");
  }

  @Test
  void aNamedMetricReadsItsOwnStatisticWithPlaceholders() {
    cloudWatch.putMetricData(
        r ->
            r.namespace("Shop")
                .metricData(
                    MetricDatum.builder()
                        .metricName("Conversions")
                        .timestamp(Instant.now().minusSeconds(90))
                        .value(42.0)
                        .dimensions(
                            Dimension.builder().name("Service").value("shop").build(),
                            Dimension.builder().name("Version").value("2.0.0").build())
                        .build()));
    Map<String, Object> settings = settings();
    settings.put(
        "metrics",
        Map.of(
            "conversions",
            Map.of(
                "namespace",
                "Shop",
                "metric",
                "Conversions",
                "statistic",
                "Sum",
                "dimensions",
                Map.of("Service", "{{service}}", "Version", "{{version}}"))));

    Sample conversions =
        provider(settings)
            .fetch(
                new Query(
                    "conversions",
                    Kind.VALUE,
                    "canary",
                    List.of(),
                    "shop",
                    "2.0.0",
                    Duration.ofMinutes(5)));

    assertThat(conversions.status()).as(conversions.detail()).isEqualTo(Status.OK);
    assertThat(conversions.value()).isEqualTo(42.0);
  }

  @Test
  void anUnreachableEndpointIsAnErrorSample() {
    Map<String, Object> settings = settings();
    settings.put("endpoint", "http://127.0.0.1:9");

    Sample sample = provider(settings).fetch(query("baseline", Kind.RATIO));

    assertThat(sample.status()).isEqualTo(Status.ERROR);
    assertThat(sample.detail()).contains("GetMetricData");
  }

  @Test
  void aNamedRatioWithoutEventDatapointsIsNoDataUnlessZeroIsWhatMissingMeans() {
    put("RequestCount", STABLE, 80);
    Map<String, Object> events = new HashMap<>();
    events.put("metric", "HTTPCode_Target_4XX_Count");
    events.put(
        "dimensions", Map.of("LoadBalancer", "{{loadBalancer}}", "TargetGroup", "{{targetGroup}}"));
    Map<String, Object> total =
        Map.of(
            "metric",
            "RequestCount",
            "dimensions",
            Map.of("LoadBalancer", "{{loadBalancer}}", "TargetGroup", "{{targetGroup}}"));
    Map<String, Object> strict = settings();
    strict.put("metrics", Map.of("rejections", Map.of("events", events, "total", total)));
    Map<String, Object> lenient = settings();
    Map<String, Object> zero = new HashMap<>(events);
    zero.put("missingIsZero", true);
    lenient.put("metrics", Map.of("rejections", Map.of("events", zero, "total", total)));
    Query query =
        new Query(
            "rejections",
            Kind.RATIO,
            "baseline",
            List.of(new Target("i-0abc", "10.0.0.1", 8080, null)),
            "shop",
            "2.0.0",
            Duration.ofMinutes(5));

    Sample missing = provider(strict).fetch(query);
    Sample none = provider(lenient).fetch(query);

    assertThat(missing.status()).isEqualTo(Status.NO_DATA);
    assertThat(missing.detail()).contains("no datapoints").contains("HTTPCode_Target_4XX_Count");
    assertThat(none.status()).as(none.detail()).isEqualTo(Status.OK);
    assertThat(none.events()).isZero();
    assertThat(none.total()).isEqualTo(80);
  }

  @Test
  void aPoolReadsItsOwnTargetGroupAndAnUnknownPoolOrPlaceholderIsRefused() {
    put("RequestCount", CANARY, 40);
    Map<String, Object> pools = settings();
    pools.remove("targetGroup");
    pools.remove("canaryTargetGroup");
    pools.put("targetGroups", Map.of("blue", STABLE, "green", CANARY));
    Query green =
        new Query(
            "errors",
            Kind.RATIO,
            "live",
            List.of(new Target("i-0abc", "10.0.0.1", 8080, "green")),
            "shop",
            "2.0.0",
            Duration.ofMinutes(5));
    Query red =
        new Query(
            "errors",
            Kind.RATIO,
            "live",
            List.of(new Target("i-0abc", "10.0.0.1", 8080, "red")),
            "shop",
            "2.0.0",
            Duration.ofMinutes(5));
    Map<String, Object> typo = settings();
    typo.put(
        "metrics",
        Map.of(
            "conversions",
            Map.of("metric", "Conversions", "dimensions", Map.of("Service", "{{servce}}"))));

    Sample greenPool = provider(pools).fetch(green);

    assertThat(greenPool.status()).as(greenPool.detail()).isEqualTo(Status.OK);
    assertThat(greenPool.total()).isEqualTo(40);
    assertThat(greenPool.detail()).contains("targetgroup/canary/943f017f100becff");
    assertThatThrownBy(() -> provider(pools).fetch(red))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("pool 'red' is not in 'targetGroups'");
    assertThatThrownBy(
            () ->
                provider(typo)
                    .fetch(
                        new Query(
                            "conversions",
                            Kind.VALUE,
                            "canary",
                            List.of(),
                            "shop",
                            "2.0.0",
                            Duration.ofMinutes(5))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("{{servce}}");
  }

  @Test
  void badSettingsAreRefusedWhenRead() {
    Map<String, Object> misspelt = settings();
    misspelt.put("namepsace", "AWS/ApplicationELB");
    assertThatThrownBy(() -> provider(misspelt))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("namepsace");
    Map<String, Object> notAListener = settings();
    notAListener.put("listener", "listener-1");
    assertThatThrownBy(() -> provider(notAListener))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("not a listener ARN");
  }

  @Test
  void samplesAreNotServed() {
    assertThat(provider(settings()).cannotServe("latency", Kind.SAMPLES))
        .contains("not individual observations");
  }
}
