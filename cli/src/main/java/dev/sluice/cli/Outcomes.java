package dev.sluice.cli;

import java.io.PrintWriter;

/** The last line of a followed deployment, and its exit code. */
final class Outcomes {

  private Outcomes() {}

  static int report(PrintWriter err, String id, Outcome outcome, boolean successOnPause) {
    String line =
        switch (outcome) {
          case SUCCEEDED -> id + " succeeded";
          case FAILED -> id + " did not succeed: sluice get deployment " + id;
          case TIMED_OUT ->
              id + " still runs after the timeout: sluice get deployment " + id + " --watch";
          case PAUSED -> id + " waits for a person: sluice promote " + id + " (or abort)";
        };
    err.println(line);
    err.flush();
    return outcome == Outcome.PAUSED && successOnPause ? 0 : outcome.exitCode;
  }
}
