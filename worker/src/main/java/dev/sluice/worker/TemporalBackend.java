package dev.sluice.worker;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.nio.file.Path;

/**
 * A connection to Temporal, and for the embedded and dev backends the server itself. Closing it
 * closes the connection and stops any server it started.
 */
public interface TemporalBackend extends AutoCloseable {

  /** gRPC stubs to the frontend; never {@code null}. */
  WorkflowServiceStubs stubs();

  String namespace();

  /** {@code host:port} of the frontend, for other processes. */
  String address();

  /**
   * What this backend is and who stops its server, for people: e.g. {@code dev server at
   * 127.0.0.1:7233, started by Sluice (stopped with it)}.
   */
  String description();

  /** The Temporal UI, or {@code null} when this backend has none Sluice knows of. */
  String uiUrl();

  /**
   * Whether Sluice's custom search attributes are registered on the namespace: workflows only
   * upsert them when they are, since upserting an unknown attribute fails the workflow task.
   */
  boolean searchAttributes();

  default WorkflowClient client() {
    return WorkflowClient.newInstance(
        stubs(), WorkflowClientOptions.newBuilder().setNamespace(namespace()).build());
  }

  @Override
  void close();

  /**
   * Starts or connects to the backend {@code settings} names, registering Sluice's search
   * attributes where it can.
   *
   * @param home directory relative paths (the dev server's database) are resolved against
   */
  static TemporalBackend open(TemporalSettings settings, Path home) {
    return switch (settings.getBackend()) {
      case EMBEDDED -> EmbeddedTemporal.start(settings);
      case DEV -> DevServerTemporal.start(settings, home);
      case REMOTE -> RemoteTemporal.connect(settings);
    };
  }
}
