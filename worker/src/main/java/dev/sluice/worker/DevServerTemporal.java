package dev.sluice.worker;

import dev.sluice.workflows.SluiceSearchAttributes;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Temporal CLI's dev server ({@code temporal server start-dev}) with a SQLite file, so history
 * survives restarts, and the Temporal UI. When a server already answers on the address (started by
 * hand, or left by a killed Sluice), it is reused rather than started again.
 */
final class DevServerTemporal extends ConnectedBackend {

  private static final Logger LOG = LoggerFactory.getLogger(DevServerTemporal.class);

  private final Process process;
  private final TemporalSettings settings;

  private DevServerTemporal(
      Process process, WorkflowServiceStubs stubs, TemporalSettings settings) {
    super(stubs, settings.getNamespace(), settings.getAddress());
    this.process = process;
    this.settings = settings;
  }

  static DevServerTemporal start(TemporalSettings settings, Path home) {
    HostPort address = HostPort.parse(settings.getAddress());
    Process process = null;
    if (listening(address)) {
      LOG.info("A Temporal server already listens on {}: using it", settings.getAddress());
    } else {
      process = launch(settings, home, address);
    }
    WorkflowServiceStubs stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(settings.getAddress()).build());
    try {
      awaitReady(stubs, process, settings.getStartTimeout(), home);
      return new DevServerTemporal(process, stubs, settings);
    } catch (RuntimeException e) {
      stubs.shutdownNow();
      if (process != null) {
        process.destroyForcibly();
      }
      throw e;
    }
  }

  private static Process launch(TemporalSettings settings, Path home, HostPort address) {
    Path binary = TemporalCli.locate(settings.getDevBinary(), home);
    Path db = settings.devDbPath(home);
    Path log = db.resolveSibling("temporal-dev.log");
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.addAll(
        List.of(
            "server",
            "start-dev",
            "--db-filename",
            db.toString(),
            "--ip",
            address.host(),
            "--port",
            Integer.toString(address.port()),
            "--ui-port",
            Integer.toString(settings.getUiPort()),
            "--log-level",
            "warn"));
    if (!"default".equals(settings.getNamespace())) {
      command.addAll(List.of("--namespace", settings.getNamespace()));
    }
    SluiceSearchAttributes.ALL
        .keySet()
        .forEach(name -> command.addAll(List.of("--search-attribute", name + "=Keyword")));
    try {
      Files.createDirectories(db.getParent());
      LOG.info("Starting Temporal dev server: {} (log {})", String.join(" ", command), log);
      return new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + binary + ": " + e.getMessage(), e);
    }
  }

  private static void awaitReady(
      WorkflowServiceStubs stubs, Process process, Duration timeout, Path home) {
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      if (process != null && !process.isAlive()) {
        throw new IllegalStateException(
            "the Temporal dev server exited with status "
                + process.exitValue()
                + "; see its log next to the database file under "
                + home.resolve(".sluice"));
      }
      try {
        stubs
            .blockingStub()
            .withDeadlineAfter(2, TimeUnit.SECONDS)
            .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
        return;
      } catch (RuntimeException e) {
        last = e;
      }
      try {
        // Polling a server that is still starting; there is no event to wait on.
        TimeUnit.MILLISECONDS.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for Temporal", e);
      }
    }
    throw new IllegalStateException(
        "the Temporal dev server did not answer within " + timeout + ": " + last, last);
  }

  private static boolean listening(HostPort address) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(address.host(), address.port()), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public String uiUrl() {
    return "http://" + HostPort.parse(settings.getAddress()).host() + ":" + settings.getUiPort();
  }

  @Override
  void stopServer() {
    if (process != null) {
      // The CLI stops its server (and flushes SQLite) on SIGTERM.
      process.destroy();
      try {
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }

  /** A {@code host:port} pair. */
  record HostPort(String host, int port) {
    static HostPort parse(String address) {
      int colon = address.lastIndexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("temporal.address must be host:port, got " + address);
      }
      return new HostPort(
          address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
    }
  }
}
