package dev.sluice.worker.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.worker.TemporalBackend;
import dev.sluice.worker.TemporalSettings;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ActivityMetricsTest {

  @ActivityInterface
  public interface Steps {
    String drain(String target);

    void deploy(String target);
  }

  public static class StepsImpl implements Steps {
    @Override
    public String drain(String target) {
      return target + " drained";
    }

    @Override
    public void deploy(String target) {
      throw ApplicationFailure.newNonRetryableFailure("no such host", "Unreachable");
    }
  }

  @WorkflowInterface
  public interface TwoSteps {
    @WorkflowMethod
    String run(String target);
  }

  public static class TwoStepsImpl implements TwoSteps {
    private final Steps steps =
        Workflow.newActivityStub(
            Steps.class,
            ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(10))
                .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
                .build());

    @Override
    public String run(String target) {
      String drained = steps.drain(target);
      try {
        steps.deploy(target);
        return drained + ", deployed";
      } catch (ActivityFailure failed) {
        return drained + ", not deployed";
      }
    }
  }

  @Test
  void everyActivityAttemptIsTimedByTypeAndOutcomeAndServedAtMetrics(@TempDir Path home)
      throws Exception {
    TemporalSettings settings = new TemporalSettings();
    settings.setBackend(TemporalSettings.Backend.EMBEDDED);
    settings.setEmbeddedPort(0);
    PrometheusRegistry registry = new PrometheusRegistry();
    try (TemporalBackend backend = TemporalBackend.open(settings, home);
        MetricsEndpoint endpoint = MetricsEndpoint.start("127.0.0.1", 0, registry)) {
      WorkflowClient client = backend.client();
      WorkerFactory factory =
          WorkerFactory.newInstance(
              client,
              WorkerFactoryOptions.newBuilder()
                  .setWorkerInterceptors(new ActivityMetrics(registry))
                  .build());
      var worker = factory.newWorker("metrics-test");
      worker.registerWorkflowImplementationTypes(TwoStepsImpl.class);
      worker.registerActivitiesImplementations(new StepsImpl());
      factory.start();
      try {
        String result =
            client
                .newWorkflowStub(
                    TwoSteps.class,
                    WorkflowOptions.newBuilder().setTaskQueue("metrics-test").build())
                .run("t1");
        assertThat(result).isEqualTo("t1 drained, not deployed");
      } finally {
        factory.shutdownNow();
      }

      HttpResponse<String> scrape =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(scrape.statusCode()).isEqualTo(200);
      assertThat(scrape.headers().firstValue("Content-Type"))
          .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
      String text = scrape.body();
      assertThat(text).contains("# HELP sluice_activity_duration_seconds ");
      assertThat(count(text, "Drain", "completed")).isEqualTo(1);
      assertThat(count(text, "Deploy", "failed")).isEqualTo(1);
      assertThat(text).doesNotContain("activity=\"Deploy\",outcome=\"completed\"");
    }
  }

  private static double count(String text, String activity, String outcome) {
    Matcher m =
        Pattern.compile(
                "sluice_activity_duration_seconds_count\\{activity=\""
                    + activity
                    + "\",outcome=\""
                    + outcome
                    + "\"} (\\S+)")
            .matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }
}
