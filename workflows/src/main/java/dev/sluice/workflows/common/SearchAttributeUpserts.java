package dev.sluice.workflows.common;

import dev.sluice.model.DeploymentState;
import dev.sluice.model.Phase;
import dev.sluice.workflows.SluiceSearchAttributes;
import io.temporal.workflow.Workflow;

/**
 * The SluicePhase and SluiceState search attributes a deployment upserts as it goes, when its
 * request asks for search attributes. SluiceState came later: deployments started before it (the
 * {@link ChangeIds#SLUICE_STATE} change) upsert only the phase.
 */
final class SearchAttributeUpserts {

  private final boolean enabled;

  SearchAttributeUpserts(boolean enabled) {
    this.enabled = enabled;
  }

  void phase(Phase phase) {
    if (enabled) {
      Workflow.upsertTypedSearchAttributes(SluiceSearchAttributes.PHASE.valueSet(phase.name()));
    }
  }

  /** The outcome: the final phase, and the final state. */
  void outcome(Phase phase, DeploymentState state) {
    if (enabled) {
      if (showsState()) {
        Workflow.upsertTypedSearchAttributes(
            SluiceSearchAttributes.PHASE.valueSet(phase.name()),
            SluiceSearchAttributes.STATE.valueSet(state.name()));
      } else {
        Workflow.upsertTypedSearchAttributes(SluiceSearchAttributes.PHASE.valueSet(phase.name()));
      }
    }
  }

  /** A retry: the state is running again. */
  void retried(DeploymentState state) {
    if (enabled && showsState()) {
      Workflow.upsertTypedSearchAttributes(SluiceSearchAttributes.STATE.valueSet(state.name()));
    }
  }

  private static boolean showsState() {
    return Workflow.getVersion(ChangeIds.SLUICE_STATE, Workflow.DEFAULT_VERSION, 1) == 1;
  }
}
