package dev.sluice.worker;

import dev.sluice.worker.encryption.PayloadEncryption;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.concurrent.TimeUnit;

/**
 * What every backend shares once connected: the stubs, the namespace, the address, the payload
 * encryption, and whether Sluice's search attributes could be registered (checked once, at
 * connection).
 */
abstract class ConnectedBackend implements TemporalBackend {

  private final WorkflowServiceStubs stubs;
  private final String namespace;
  private final String address;
  private final boolean searchAttributes;
  private final PayloadEncryption encryption;

  ConnectedBackend(
      WorkflowServiceStubs stubs, String namespace, String address, PayloadEncryption encryption) {
    this.stubs = stubs;
    this.namespace = namespace;
    this.address = address;
    this.encryption = encryption;
    this.searchAttributes = SearchAttributeRegistrar.ensure(stubs, address, namespace);
  }

  @Override
  public final WorkflowServiceStubs stubs() {
    return stubs;
  }

  @Override
  public final String namespace() {
    return namespace;
  }

  @Override
  public final String address() {
    return address;
  }

  @Override
  public final PayloadEncryption encryption() {
    return encryption;
  }

  @Override
  public String uiUrl() {
    return null;
  }

  @Override
  public final boolean searchAttributes() {
    return searchAttributes;
  }

  /** Closes the connection, then stops whatever server this backend started. */
  @Override
  public final void close() {
    stubs.shutdown();
    stubs.awaitTermination(5, TimeUnit.SECONDS);
    stopServer();
  }

  /** Stops the server this backend started, if it started one. */
  void stopServer() {}
}
