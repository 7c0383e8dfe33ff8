package dev.sluice.workflows.testing;

import io.temporal.api.common.v1.Payloads;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.common.converter.DefaultDataConverter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What a workflow's history says about the activities it ran locally (as markers). */
public final class LocalSteps {

  private LocalSteps() {}

  /**
   * The activity types of the local activities that ran in the workflow task which answered the
   * first update of {@code workflowId}, in order. A workflow task's commands (its markers among
   * them) follow its WorkflowTaskCompleted event, and the update's answer reached the client only
   * once that task completed: these ran before the caller heard back.
   */
  public static List<String> inTheTaskThatAnsweredTheFirstUpdate(
      WorkflowClient client, String workflowId) {
    List<String> types = new ArrayList<>();
    boolean answered = false;
    for (HistoryEvent event : client.fetchHistory(workflowId).getEvents()) {
      switch (event.getEventType()) {
        case EVENT_TYPE_WORKFLOW_TASK_COMPLETED -> {
          if (answered) {
            return types;
          }
          types.clear();
        }
        case EVENT_TYPE_WORKFLOW_TASK_SCHEDULED -> {
          if (answered) {
            return types;
          }
        }
        case EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED -> answered = true;
        case EVENT_TYPE_MARKER_RECORDED -> {
          Payloads type = event.getMarkerRecordedEventAttributes().getDetailsMap().get("type");
          if (type != null) {
            types.add(
                DefaultDataConverter.STANDARD_INSTANCE.fromPayloads(
                    0, Optional.of(type), String.class, String.class));
          }
        }
        default -> {}
      }
    }
    if (!answered) {
      throw new AssertionError(workflowId + " has no completed update in its history");
    }
    return types;
  }
}
