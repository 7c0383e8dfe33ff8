package dev.sluice.activities.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.analysis.ThresholdJudge.Window;
import dev.sluice.activities.analysis.ThresholdWindows.Group;
import dev.sluice.activities.analysis.ThresholdWindows.Reading;
import dev.sluice.model.Target;
import dev.sluice.ports.MetricProvider;
import dev.sluice.ports.MetricProvider.Kind;
import dev.sluice.ports.MetricProvider.Query;
import dev.sluice.ports.MetricProvider.Sample;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ThresholdWindowsTest {

  static final Duration WINDOW = Duration.ofSeconds(10);
  static final Group CANARY =
      new Group("canary", List.of(new Target("c1", "127.0.0.1", 8081, null)), "shop", "2.0.0");

  @Test
  void theErrorRatioAndTheMeanResponseTimeMakeTheJudgesWindow() {
    List<Query> asked = new ArrayList<>();
    MetricProvider provider =
        query -> {
          asked.add(query);
          return query.kind() == Kind.RATIO
              ? Sample.ratio(3, 200, "3 of 200")
              : Sample.value(41.6, "mean");
        };

    Reading reading = ThresholdWindows.read(provider, CANARY, WINDOW);

    assertThat(reading.missing()).isNull();
    assertThat(reading.window()).isEqualTo(new Window(200, 3, 42));
    assertThat(asked)
        .extracting(Query::metric, Query::kind, Query::group, Query::version, Query::window)
        .containsExactly(
            tuple("errors", Kind.RATIO, "canary", "2.0.0", WINDOW),
            tuple("latency", Kind.VALUE, "canary", "2.0.0", WINDOW));
  }

  @Test
  void noErrorDataIsNoWindowSayingWhyNeverAnEmptyOne() {
    MetricProvider provider = query -> Sample.error("HAProxy at /run/haproxy.sock is down");

    Reading reading = ThresholdWindows.read(provider, CANARY, WINDOW);

    assertThat(reading.window()).isNull();
    assertThat(reading.missing())
        .isEqualTo("canary: no data (HAProxy at /run/haproxy.sock is down)");
  }

  @Test
  void aProviderThatThrowsCountsAsNoData() {
    MetricProvider provider =
        query -> {
          throw new IllegalStateException("boom");
        };

    assertThat(ThresholdWindows.read(provider, CANARY, WINDOW).missing())
        .isEqualTo("canary: no data (boom)");
  }

  @Test
  void anUnknownResponseTimeIsMinusOneWhichTheJudgeDoesNotCompare() {
    MetricProvider provider =
        query ->
            query.kind() == Kind.RATIO
                ? Sample.ratio(0, 0, "nothing")
                : Sample.noData("no responses");

    assertThat(ThresholdWindows.read(provider, CANARY, WINDOW).window())
        .isEqualTo(new Window(0, 0, -1));
  }

  @Test
  void aGroupWithoutTargetsIsAnEmptyWindowAndAsksNothing() {
    MetricProvider provider =
        query -> {
          throw new AssertionError("asked for " + query);
        };

    assertThat(
            ThresholdWindows.read(provider, new Group("baseline", List.of(), "shop", null), WINDOW)
                .window())
        .isEqualTo(new Window(0, 0, -1));
  }

  @Test
  void aConfigurationErrorIsNotRetried() {
    MetricProvider provider =
        query -> {
          throw new ConfigurationException("haproxy-stats: target 'c1' is in pool 'x'");
        };

    assertThatThrownBy(() -> ThresholdWindows.read(provider, CANARY, WINDOW))
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            failure -> {
              assertThat(failure.isNonRetryable()).isTrue();
              assertThat(failure.getType()).isEqualTo("ConfigurationError");
            });
  }
}
