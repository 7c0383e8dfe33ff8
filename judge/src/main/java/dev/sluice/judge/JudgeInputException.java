package dev.sluice.judge;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The judge's input is unusable: each {@link Problem} names the offending field by its JSON path
 * ({@code metrics[1].intervals[3].canary.events}), so an API can answer 400 naming it. Thrown
 * before anything is judged; a configuration error no retry can fix.
 */
public final class JudgeInputException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  /** At most this many problems are reported: the first few say enough. */
  static final int MAX_PROBLEMS = 20;

  private final transient List<Problem> problems;

  public JudgeInputException(List<Problem> problems) {
    super(
        problems.stream()
            .limit(MAX_PROBLEMS)
            .map(Problem::toString)
            .collect(Collectors.joining("; ")));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a JudgeInputException needs at least one problem");
    }
    this.problems = List.copyOf(problems.subList(0, Math.min(MAX_PROBLEMS, problems.size())));
  }

  /** The problems, in input order; never empty. */
  public List<Problem> problems() {
    return problems;
  }

  /**
   * One thing wrong with the input.
   *
   * @param field the JSON path of the field: {@code metrics[0].intervals[2].canary.events}
   * @param message what is wrong, for people
   */
  public record Problem(String field, String message) {
    @Override
    public String toString() {
      return field + ": " + message;
    }
  }
}
