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
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.TreeSet;
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
  static boolean ensure(WorkflowServiceStubs stubs, String address, String namespace) {
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
              + " without them (the Temporal UI cannot filter them by service, version, strategy or phase). Register them"
              + " and restart Sluice:\n  {}\n(on Temporal Cloud, add them in its UI or with tcld)",
          new TreeSet<>(SluiceSearchAttributes.ALL.keySet()),
          namespace,
          e.getStatus(),
          commands(address, namespace));
      return false;
    } finally {
      operator.shutdown();
    }
  }

  /**
   * The {@code temporal} CLI commands that register Sluice's attributes on {@code namespace} at
   * {@code address}, one per attribute (the CLI pairs each {@code --name} with its own {@code
   * --type}: one {@code --type} for several names adds only the first), sorted, joined by newlines.
   */
  static String commands(String address, String namespace) {
    StringJoiner commands = new StringJoiner("\n  ");
    new TreeMap<>(SluiceSearchAttributes.ALL)
        .forEach(
            (name, type) ->
                commands.add(
                    "temporal operator search-attribute create --address "
                        + address
                        + " --namespace "
                        + namespace
                        + " --name "
                        + name
                        + " --type "
                        + cliType(type)));
    return commands.toString();
  }

  /** {@code INDEXED_VALUE_TYPE_KEYWORD_LIST} → {@code KeywordList}, as the CLI spells types. */
  private static String cliType(IndexedValueType type) {
    StringBuilder name = new StringBuilder();
    for (String word : type.name().substring("INDEXED_VALUE_TYPE_".length()).split("_")) {
      name.append(word.charAt(0)).append(word.substring(1).toLowerCase(Locale.ROOT));
    }
    return name.toString();
  }
}
