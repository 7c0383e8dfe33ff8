package dev.sluice.flags;

import java.util.List;

/**
 * A flag definition document that cannot be compiled. Lists every problem found, each with the JSON
 * path of the offending element inside the document, e.g. {@code
 * flags.new-checkout.targeting.if[0].in[1]}; nothing is built from a document that has any.
 */
public final class FlagDefinitionException extends Exception {
  private static final long serialVersionUID = 1L;

  /**
   * One problem.
   *
   * @param path where in the document: object keys joined with '.', array indices in brackets; the
   *     empty string for the document itself
   * @param message what is wrong there
   */
  public record Problem(String path, String message) {
    @Override
    public String toString() {
      return path.isEmpty() ? message : path + ": " + message;
    }
  }

  private final List<Problem> problems;

  public FlagDefinitionException(List<Problem> problems) {
    super(describe(problems));
    this.problems = List.copyOf(problems);
  }

  /** The problems, in document order as far as it was discovered; never empty. */
  public List<Problem> problems() {
    return problems;
  }

  private static String describe(List<Problem> problems) {
    StringBuilder out =
        new StringBuilder("invalid flag definitions (")
            .append(problems.size())
            .append(problems.size() == 1 ? " problem)" : " problems)");
    for (Problem problem : problems) {
      out.append("\n  ").append(problem);
    }
    return out.toString();
  }
}
