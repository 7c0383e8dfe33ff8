package dev.sluice.workflows.common;

import io.temporal.workflow.Workflow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What happened, as the status of a flag rollout, a migration or a release shows it: one line per
 * event, stamped with workflow time ({@code 2026-01-05T10:00:00Z stage 1/5: 5% on on}), oldest
 * first.
 */
public final class EventLines {

  private final List<String> lines = new ArrayList<>();

  public void add(String what) {
    lines.add(Instant.ofEpochMilli(Workflow.currentTimeMillis()) + " " + what);
  }

  /** A copy, for a status. */
  public List<String> all() {
    return List.copyOf(lines);
  }
}
