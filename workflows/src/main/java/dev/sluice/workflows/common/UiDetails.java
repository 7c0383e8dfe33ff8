package dev.sluice.workflows.common;

import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.TargetStatus;
import dev.sluice.model.Waiting;
import java.util.List;

/** The Temporal UI's "current details" of a deployment, as Markdown. */
final class UiDetails {

  private UiDetails() {}

  static String markdown(DeploymentRequest request, Progress p, List<TargetStatus> targets) {
    StringBuilder md = new StringBuilder();
    md.append("**")
        .append(request.strategy())
        .append("** ")
        .append(request.service().name())
        .append(' ')
        .append(p.previousVersion == null ? "?" : p.previousVersion)
        .append(" → ")
        .append(request.version())
        .append("\n\n")
        .append(p.state)
        .append(" · ")
        .append(p.phase);
    if (p.batches > 0) {
      md.append(" · ").append(p.unit).append(' ').append(p.batch).append('/').append(p.batches);
    }
    if (p.note != null) {
      md.append(" · ").append(p.note);
    }
    if (p.trafficWeight != null) {
      md.append(" · canary weight ").append(p.trafficWeight).append('%');
    }
    Waiting waiting = p.waiting;
    if (waiting != null) {
      md.append("\n\n**")
          .append(waiting.forPromote() ? "waiting for promote" : "waiting")
          .append("** since ")
          .append(waiting.since())
          .append(": ")
          .append(waiting.what());
      if (waiting.until() != null) {
        md.append(" (until ").append(waiting.until()).append(", or promote)");
      }
    }
    md.append("\n\n| target | version | state |\n|---|---|---|\n");
    for (TargetStatus t : targets) {
      md.append("| ")
          .append(t.id())
          .append(" | ")
          .append(t.version() == null ? "?" : t.version())
          .append(" | ")
          .append(t.state())
          .append(" |\n");
    }
    return md.toString();
  }
}
