package dev.sluice.activities.flags;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.flags.FlagDefinitionException;
import dev.sluice.flags.FlagEngine;
import dev.sluice.flags.FlagdTemplates;
import dev.sluice.ledger.FlagStore;
import dev.sluice.ledger.FlagStore.Flag;
import dev.sluice.ledger.FlagStore.Outcome;
import dev.sluice.workflows.FailureTypes;
import dev.sluice.workflows.activities.FlagActivities;
import io.temporal.failure.ApplicationFailure;
import java.util.function.UnaryOperator;

/**
 * A rollout's changes to a flag, through the same store (versions, audit, revision) as the REST
 * API. Each change reads the current version, rewrites the definition, compiles it, and writes it
 * conditionally on that version; a concurrent edit by a person is read again and the change
 * re-applied on top of it, never overwritten.
 */
public final class FlagActivitiesImpl implements FlagActivities {

  static final int ATTEMPTS = 5;

  private final FlagStore store;
  private final ObjectMapper json = new ObjectMapper();

  public FlagActivitiesImpl(FlagStore store) {
    this.store = store;
  }

  @Override
  public FlagChange setRollout(RolloutCall call) {
    return change(
        call,
        "rollout",
        doc -> {
          JsonNode flag = doc.path("flags").path(call.flagKey());
          boolean disabled = "DISABLED".equals(flag.path("state").asText());
          if (disabled && !call.enable()) {
            throw ApplicationFailure.newNonRetryableFailure(
                "flag " + call.flagKey() + " is disabled: the rollout leaves the kill switch alone",
                FailureTypes.FLAG_DISABLED);
          }
          ObjectNode enabled =
              call.enable() ? FlagdTemplates.withState(doc, call.flagKey(), true) : doc;
          return FlagdTemplates.withRollout(
              enabled, call.flagKey(), call.variant(), call.percent());
        });
  }

  @Override
  public FlagChange setVariant(RolloutCall call) {
    return change(
        call, "variant", doc -> FlagdTemplates.withVariant(doc, call.flagKey(), call.variant()));
  }

  @Override
  public FlagChange disable(RolloutCall call) {
    return change(call, "disable", doc -> FlagdTemplates.withState(doc, call.flagKey(), false));
  }

  private FlagChange change(RolloutCall call, String action, UnaryOperator<ObjectNode> rewrite) {
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      Flag flag =
          store
              .get(call.flagKey())
              .orElseThrow(
                  () ->
                      ApplicationFailure.newNonRetryableFailure(
                          "no flag " + call.flagKey(), FailureTypes.FLAG_NOT_FOUND));
      ObjectNode document = json.createObjectNode();
      document.putObject("flags").set(call.flagKey(), read(flag.definition()));
      ObjectNode changed;
      try {
        changed = rewrite.apply(document);
        FlagEngine.compile(changed);
      } catch (IllegalArgumentException | FlagDefinitionException e) {
        throw ApplicationFailure.newNonRetryableFailureWithCause(
            "flag " + call.flagKey() + " cannot take this change: " + e.getMessage(),
            FailureTypes.CONFIGURATION_ERROR,
            e);
      }
      JsonNode definition = changed.path("flags").path(call.flagKey());
      Outcome outcome =
          store.update(
              call.flagKey(),
              flag.version(),
              definition.toString(),
              null,
              action,
              call.actor(),
              call.reason());
      if (outcome instanceof Outcome.Changed done) {
        return new FlagChange(call.flagKey(), done.flag().version());
      }
      if (outcome instanceof Outcome.NotFound) {
        throw ApplicationFailure.newNonRetryableFailure(
            "no flag " + call.flagKey(), FailureTypes.FLAG_NOT_FOUND);
      }
      // Conflict: someone changed the flag meanwhile; apply the change to their version.
    }
    throw ApplicationFailure.newFailure(
        "flag " + call.flagKey() + " kept changing under the rollout", "FlagBusy");
  }

  private JsonNode read(String text) {
    try {
      return json.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a stored flag definition is not JSON", e);
    }
  }
}
