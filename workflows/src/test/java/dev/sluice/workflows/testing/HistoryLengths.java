package dev.sluice.workflows.testing;

import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How many history events each run of a deployment (its workflow and every child) recorded. */
public final class HistoryLengths {

  private HistoryLengths() {}

  /** Events per workflow id: the deployment's, and its children's, grandchildren's and so on. */
  public static Map<String, Integer> of(WorkflowClient client, String workflowId) {
    Map<String, Integer> lengths = new LinkedHashMap<>();
    Deque<String> todo = new ArrayDeque<>(List.of(workflowId));
    while (!todo.isEmpty()) {
      String id = todo.poll();
      List<HistoryEvent> events = client.fetchHistory(id).getEvents();
      lengths.put(id, events.size());
      for (HistoryEvent event : events) {
        if (event.getEventType() == EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED) {
          todo.add(
              event
                  .getChildWorkflowExecutionStartedEventAttributes()
                  .getWorkflowExecution()
                  .getWorkflowId());
        }
      }
    }
    return lengths;
  }

  /** The ids of the children {@code workflowId} started, in the order they started. */
  public static List<String> children(WorkflowClient client, String workflowId) {
    List<String> ids = new ArrayList<>();
    for (HistoryEvent event : client.fetchHistory(workflowId).getEvents()) {
      if (event.getEventType() == EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED) {
        ids.add(
            event
                .getChildWorkflowExecutionStartedEventAttributes()
                .getWorkflowExecution()
                .getWorkflowId());
      }
    }
    return ids;
  }

  /** The most events any one run of the deployment recorded. */
  public static int max(WorkflowClient client, String workflowId) {
    return of(client, workflowId).values().stream().mapToInt(Integer::intValue).max().orElse(0);
  }
}
