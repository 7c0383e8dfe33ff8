package dev.sluice.worker;

import dev.sluice.worker.encryption.PayloadEncryption;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testserver.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/**
 * Temporal's test server in this process, bound to a port so other processes can connect. Real time
 * (time skipping locked), in memory: everything is lost when the process ends.
 */
final class EmbeddedTemporal extends ConnectedBackend {

  private final TestServer.PortBoundTestServer server;

  private EmbeddedTemporal(
      TestServer.PortBoundTestServer server,
      int port,
      String namespace,
      PayloadEncryption encryption) {
    super(
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:" + port).build()),
        namespace,
        "127.0.0.1:" + port,
        encryption);
    this.server = server;
  }

  static EmbeddedTemporal start(TemporalSettings settings, PayloadEncryption encryption) {
    int port = settings.getEmbeddedPort() == 0 ? freePort() : settings.getEmbeddedPort();
    // true = time skipping locked: deployments wait in real time, as on a real cluster.
    TestServer.PortBoundTestServer server = TestServer.createPortBoundServer(port, true);
    try {
      return new EmbeddedTemporal(server, port, settings.getNamespace(), encryption);
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String description() {
    return "embedded test server at " + address() + ", in this process (in memory)";
  }

  @Override
  void stopServer() {
    server.close();
  }
}
