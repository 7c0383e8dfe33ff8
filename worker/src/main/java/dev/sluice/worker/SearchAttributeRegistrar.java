package dev.sluice.worker;

import dev.sluice.workflows.SluiceSearchAttributes;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Registers Sluice's custom search attributes on a namespace, where the server allows it. */
final class SearchAttributeRegistrar {

  private static final Logger LOG = LoggerFactory.getLogger(SearchAttributeRegistrar.class);

  private SearchAttributeRegistrar() {}

  /**
   * Adds the attributes the namespace lacks.
   *
   * @return true when every attribute is registered afterwards; false (with a warning) when the
   *     server refused, e.g. Temporal Cloud, where attributes are added through its own console
   */
  static boolean ensure(WorkflowServiceStubs stubs, String namespace) {
    OperatorServiceStubs operator =
        OperatorServiceStubs.newServiceStubs(
            OperatorServiceStubsOptions.newBuilder()
                .setChannel(stubs.getRawChannel())
                .validateAndBuildWithDefaults());
    try {
      Map<String, IndexedValueType> missing = new HashMap<>(SluiceSearchAttributes.ALL);
      try {
        missing
            .keySet()
            .removeAll(
                operator
                    .blockingStub()
                    .listSearchAttributes(
                        ListSearchAttributesRequest.newBuilder().setNamespace(namespace).build())
                    .getCustomAttributesMap()
                    .keySet());
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.UNIMPLEMENTED) {
          throw e;
        }
        // The embedded test server can add attributes but not list them: add them all.
      }
      if (missing.isEmpty()) {
        return true;
      }
      try {
        operator
            .blockingStub()
            .addSearchAttributes(
                AddSearchAttributesRequest.newBuilder()
                    .setNamespace(namespace)
                    .putAllSearchAttributes(missing)
                    .build());
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) {
          throw e;
        }
      }
      LOG.info("Registered search attributes {} on namespace {}", missing.keySet(), namespace);
      return true;
    } catch (StatusRuntimeException e) {
      LOG.warn(
          "Could not register Sluice's search attributes {} on namespace {} ({}). Deployments run"
              + " without them; register them with `temporal operator search-attribute create`.",
          SluiceSearchAttributes.ALL.keySet(),
          namespace,
          e.getStatus());
      return false;
    } finally {
      operator.shutdown();
    }
  }
}
