package dev.sluice.api.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.errors.ApiException;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.RpcRetryOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A workflow start that Temporal does not answer is a 503 that says where to look, not a 500. */
class WorkflowStartsTest {

  @Test
  void aStartTemporalDoesNotAnswerIsA503AndWhatFollowsTheStartDoesNotRun() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    WorkflowServiceStubs stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder()
                .setTarget("127.0.0.1:" + closed)
                .setRpcTimeout(Duration.ofSeconds(1))
                .setRpcRetryOptions(
                    RpcRetryOptions.newBuilder()
                        .setExpiration(Duration.ofSeconds(2))
                        .setInitialInterval(Duration.ofMillis(100))
                        .validateBuildWithDefaults())
                .build());
    try {
      WorkflowStub stub =
          WorkflowClient.newInstance(stubs)
              .newUntypedWorkflowStub(
                  "SchemaMigrationWorkflow",
                  WorkflowOptions.newBuilder()
                      .setWorkflowId("migration-app")
                      .setTaskQueue("sluice")
                      .build());
      AtomicBoolean after = new AtomicBoolean();

      assertThatThrownBy(
              () -> {
                WorkflowStarts.start(
                    () -> stub.start(), "the migration on app", "GET /api/v1/migrations/app");
                after.set(true);
              })
          .isInstanceOfSatisfying(
              ApiException.class,
              e -> {
                assertThat(e.status()).isEqualTo(503);
                assertThat(e.body().message())
                    .startsWith("Temporal did not answer the start of the migration on app (")
                    .endsWith("it may not have started: GET /api/v1/migrations/app later");
              });
      assertThat(after).isFalse();
    } finally {
      stubs.shutdownNow();
    }
  }
}
