package dev.sluice.workflows.common;

import dev.sluice.model.DeploymentEvent;
import io.temporal.workflow.Workflow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The deployment's events: numbered in order across attempts, the latest kept for the status query,
 * and those the ledger has not had yet.
 */
final class EventLog {

  /** Events kept for the status query; the ledger keeps all of them. */
  static final int RECENT_EVENTS = 50;

  private final List<DeploymentEvent> recent = new ArrayList<>();
  private final List<DeploymentEvent> unrecorded = new ArrayList<>();
  private int seq;

  void add(String type, String targetId, String message) {
    DeploymentEvent event =
        new DeploymentEvent(
            ++seq, Instant.ofEpochMilli(Workflow.currentTimeMillis()), type, targetId, message);
    recent.add(event);
    if (recent.size() > RECENT_EVENTS) {
      recent.remove(0);
    }
    unrecorded.add(event);
  }

  /**
   * Sets {@code count} numbers aside for a child's events (a target group's), recorded under this
   * deployment in the order they happen.
   *
   * @return the number the child's events are shifted by
   */
  int reserve(int count) {
    int base = seq;
    seq += count;
    return base;
  }

  /** The latest {@link #RECENT_EVENTS}, oldest first. */
  List<DeploymentEvent> recent() {
    return List.copyOf(recent);
  }

  /** The events since the last call, which the ledger is about to get. */
  List<DeploymentEvent> takeUnrecorded() {
    List<DeploymentEvent> events = List.copyOf(unrecorded);
    unrecorded.clear();
    return events;
  }
}
