package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;

/**
 * What a deployment's state means to a CI job, as exit codes: {@code deploy --wait} and {@code get
 * deployment --watch} end with them, as {@code kubectl argo rollouts status} does.
 */
enum Outcome {
  /** Succeeded (or paused for a person, with {@code --success-on-pause}). */
  SUCCEEDED(0),
  /** Rolled back, failed or aborted. */
  FAILED(2),
  /** Still running when {@code --timeout} passed; the deployment goes on. */
  TIMED_OUT(3),
  /** Waits for a person (a canary's {@code pause: {}}, an approval gate, a paused deployment). */
  PAUSED(4);

  /** Exit code of a call the API refused or could not answer, or of bad input. */
  static final int API_ERROR = 1;

  /** Exit code of a command line picocli could not parse (sysexits' EX_USAGE). */
  static final int USAGE = 64;

  private static final Set<String> FAILURES = Set.of("FAILED", "ROLLED_BACK", "ABORTED");

  final int exitCode;

  Outcome(int exitCode) {
    this.exitCode = exitCode;
  }

  /** The outcome a deployment's view shows now; empty (null) while it is simply running. */
  static Outcome of(JsonNode deployment) {
    String state = deployment.path("state").asText("");
    if (state.equals("SUCCEEDED")) {
      return SUCCEEDED;
    }
    if (FAILURES.contains(state)) {
      return FAILED;
    }
    if (waitsForPerson(deployment)) {
      return PAUSED;
    }
    return null;
  }

  /** Paused, or waiting on something only a person ends (its {@code waiting.endsOn} is promote). */
  static boolean waitsForPerson(JsonNode deployment) {
    return deployment.path("state").asText("").equals("PAUSED")
        || deployment.path("waiting").path("endsOn").asText("").equals("promote");
  }

  static boolean isFinal(JsonNode deployment) {
    String state = deployment.path("state").asText("");
    return state.equals("SUCCEEDED") || FAILURES.contains(state);
  }
}
