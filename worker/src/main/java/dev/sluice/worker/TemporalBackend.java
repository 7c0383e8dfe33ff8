package dev.sluice.worker;

import dev.sluice.worker.encryption.PayloadEncryption;
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

  /**
   * How payloads are encrypted on their way to Temporal ({@code temporal.encryption}); {@link
   * PayloadEncryption#OFF} when they are not. Never {@code null}.
   */
  PayloadEncryption encryption();

  /**
   * A client of the namespace, with the data converter of {@link #encryption()}: the one way
   * Sluice's API and workers talk to Temporal, so what one encrypts the other reads.
   */
  default WorkflowClient client() {
    return WorkflowClient.newInstance(
        stubs(),
        WorkflowClientOptions.newBuilder()
            .setNamespace(namespace())
            .setDataConverter(encryption().dataConverter())
            .build());
  }

  @Override
  void close();

  /**
   * Starts or connects to the backend {@code settings} names, registering Sluice's search
   * attributes where it can. The encryption keys are loaded first, so a bad one stops Sluice before
   * any server is started.
   *
   * @param home directory relative paths (the dev server's database) are resolved against
   * @throws IllegalArgumentException when an encryption key cannot be used, naming its id
   */
  static TemporalBackend open(TemporalSettings settings, Path home) {
    PayloadEncryption encryption = PayloadEncryption.load(settings.getEncryption());
    return switch (settings.getBackend()) {
      case EMBEDDED -> EmbeddedTemporal.start(settings, encryption);
      case DEV -> DevServerTemporal.start(settings, home, encryption);
      case REMOTE -> RemoteTemporal.connect(settings, encryption);
    };
  }
}
