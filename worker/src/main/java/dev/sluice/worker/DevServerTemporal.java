package dev.sluice.worker;

import dev.sluice.worker.encryption.PayloadEncryption;
import dev.sluice.workflows.SluiceSearchAttributes;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Temporal CLI's dev server ({@code temporal server start-dev}) with a SQLite file, so history
 * survives restarts, and the Temporal UI.
 *
 * <p>Sluice stops the dev server it started when it closes, and records it in a {@link
 * DevServerPidFile} meanwhile. When a server already answers on the address, it is used rather than
 * started again: if the pid file names it (a Sluice in this home was killed before it could stop
 * it), it is adopted and stopped on close like one this Sluice started; otherwise it is somebody
 * else's, used and left running.
 *
 * <p>With payload encryption on, the server Sluice starts has its UI pointed at Sluice's codec
 * endpoint ({@code temporal.encryption.uiCodecEndpoint}), so the UI shows histories decrypted.
 */
final class DevServerTemporal extends ConnectedBackend {

  private static final Logger LOG = LoggerFactory.getLogger(DevServerTemporal.class);

  /** Who stops the server: this Sluice (started or adopted) or nobody (somebody else's). */
  enum Ownership {
    STARTED,
    ADOPTED,
    FOREIGN
  }

  private final ProcessHandle owned;
  private final Ownership ownership;
  private final DevServerPidFile pidFile;
  private final TemporalSettings settings;

  private DevServerTemporal(
      ProcessHandle owned,
      Ownership ownership,
      DevServerPidFile pidFile,
      WorkflowServiceStubs stubs,
      TemporalSettings settings,
      PayloadEncryption encryption) {
    super(stubs, settings.getNamespace(), settings.getAddress(), encryption);
    this.owned = owned;
    this.ownership = ownership;
    this.pidFile = pidFile;
    this.settings = settings;
  }

  static DevServerTemporal start(
      TemporalSettings settings, Path home, PayloadEncryption encryption) {
    HostPort address = HostPort.parse(settings.getAddress());
    DevServerPidFile pidFile = DevServerPidFile.of(home, settings.getAddress());
    Process process = null;
    ProcessHandle owned = null;
    Ownership ownership;
    if (listening(address)) {
      owned = pidFile.liveServer().orElse(null);
      if (owned != null) {
        ownership = Ownership.ADOPTED;
        LOG.info(
            "The Temporal dev server on {} (pid {}) was started by an earlier Sluice in this home"
                + " ({}): adopting it; it stops when this Sluice stops",
            settings.getAddress(),
            owned.pid(),
            pidFile.path());
      } else {
        ownership = Ownership.FOREIGN;
        LOG.info(
            "A Temporal server Sluice did not start answers on {}: using it, and leaving it running"
                + " when Sluice stops",
            settings.getAddress());
      }
      if (encryption.enabled()) {
        LOG.info(
            "Payloads are encrypted; this dev server's UI was not started by this Sluice, so it"
                + " decodes them only if set to the codec endpoint {} (UI: the codec server"
                + " settings)",
            settings.getEncryption().getUiCodecEndpoint());
      }
    } else {
      process = launch(settings, home, address, encryption);
      owned = process.toHandle();
      ownership = Ownership.STARTED;
      pidFile.write(process.pid());
    }
    WorkflowServiceStubs stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(settings.getAddress()).build());
    try {
      awaitReady(stubs, process, settings.getStartTimeout(), home);
      return new DevServerTemporal(owned, ownership, pidFile, stubs, settings, encryption);
    } catch (RuntimeException e) {
      stubs.shutdownNow();
      if (process != null) {
        process.destroyForcibly();
        pidFile.deleteIfFor(process.pid());
      }
      throw e;
    }
  }

  private static Process launch(
      TemporalSettings settings, Path home, HostPort address, PayloadEncryption encryption) {
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
    String codecEndpoint = settings.getEncryption().getUiCodecEndpoint();
    if (encryption.enabled() && codecEndpoint != null) {
      command.addAll(List.of("--ui-codec-endpoint", codecEndpoint));
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
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
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
  public String description() {
    return switch (ownership) {
      case STARTED -> "dev server at " + address() + ", started by Sluice (stopped with it)";
      case ADOPTED ->
          "dev server at " + address() + ", adopted from an earlier Sluice (stopped with it)";
      case FOREIGN -> "dev server at " + address() + ", not started by Sluice (left running)";
    };
  }

  /** Who stops the server. */
  Ownership ownership() {
    return ownership;
  }

  @Override
  void stopServer() {
    if (owned == null) {
      return;
    }
    // The CLI stops its server (and flushes SQLite) on SIGTERM.
    owned.destroy();
    try {
      owned.onExit().get(20, TimeUnit.SECONDS);
    } catch (TimeoutException | ExecutionException e) {
      owned.destroyForcibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      owned.destroyForcibly();
    }
    pidFile.deleteIfFor(owned.pid());
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
