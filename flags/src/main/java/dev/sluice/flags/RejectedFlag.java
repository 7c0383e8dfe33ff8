package dev.sluice.flags;

import dev.sluice.flags.FlagDefinitionException.Problem;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A flag of a leniently loaded document ({@link FlagEngine#load}) that is not served, and why.
 * Evaluating it answers {@link ErrorCode#PARSE_ERROR} with {@link #reason()} as the message.
 *
 * @param key the flag's key
 * @param problems what is wrong with it, each with its JSON path; never empty
 */
public record RejectedFlag(String key, List<Problem> problems) {

  public RejectedFlag {
    problems = List.copyOf(problems);
  }

  /** The problems in one line. */
  public String reason() {
    return problems.stream().map(Problem::toString).collect(Collectors.joining("; "));
  }
}
