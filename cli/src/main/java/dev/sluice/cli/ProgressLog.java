package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.function.Consumer;

/**
 * A deployment's progress as log lines, for a log file or a CI job: each new event once, and a line
 * whenever its state, phase or wait changes.
 */
final class ProgressLog implements Consumer<JsonNode> {

  private final PrintWriter out;
  private int lastSeq = 0;
  private String lastStatus = "";

  ProgressLog(PrintWriter out) {
    this.out = out;
  }

  @Override
  public void accept(JsonNode view) {
    for (JsonNode event : view.path("events")) {
      int seq = event.path("seq").asInt();
      if (seq > lastSeq) {
        out.println(DeploymentScreen.event(event));
        lastSeq = seq;
      }
    }
    String status =
        DeploymentScreen.symbol(view)
            + " "
            + view.path("state").asText("?")
            + " · "
            + view.path("phase").asText("?")
            + (view.hasNonNull("trafficWeight")
                ? " · weight " + view.get("trafficWeight").asInt() + "%"
                : "")
            + (view.path("waiting").hasNonNull("what")
                ? " · waiting: " + view.path("waiting").get("what").asText()
                : "");
    if (!status.equals(lastStatus)) {
      out.println(view.path("id").asText() + "  " + status);
      lastStatus = status;
    }
    out.flush();
  }
}
