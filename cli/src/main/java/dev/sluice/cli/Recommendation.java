package dev.sluice.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The chapter's decision tree for choosing a strategy: instant rollback → blue-green; else a
 * high-risk change → canary if you can watch user impact, blue-green if not; else blue-green if you
 * can afford twice the capacity, rolling if not. Each question is asked only when the path reaches
 * it.
 */
final class Recommendation {

  /** A question of the tree, with the option that answers it on the command line. */
  enum Question {
    INSTANT_ROLLBACK("--instant-rollback", "Do you need instant rollback (seconds, no redeploy)?"),
    HIGH_RISK("--high-risk", "Is this a high-risk change (new code path, schema, dependency)?"),
    CAN_MONITOR("--can-monitor", "Can you monitor user impact (error rate, latency per version)?"),
    SPARE_CAPACITY("--spare-capacity", "Can you afford twice the capacity while it deploys?");

    final String option;
    final String text;

    Question(String option, String text) {
      this.option = option;
      this.text = text;
    }
  }

  record Result(String strategy, List<String> because) {}

  private Recommendation() {}

  /**
   * Walks the tree, asking {@code answers} each question the path reaches.
   *
   * @param answers the answer to a question; empty when it has none (the walk stops there)
   * @return the strategy and why; empty with the unanswered question when one is missing
   */
  static Result decide(Function<Question, Optional<Boolean>> answers) {
    List<String> because = new ArrayList<>();
    if (ask(answers, Question.INSTANT_ROLLBACK, because)) {
      because.add("blue-green switches traffic back in one load-balancer change");
      return new Result("blue-green", because);
    }
    if (ask(answers, Question.HIGH_RISK, because)) {
      if (ask(answers, Question.CAN_MONITOR, because)) {
        because.add(
            "a canary exposes a small share of traffic and the sequential judge compares it with the"
                + " stable servers");
        return new Result("canary", because);
      }
      because.add(
          "without per-version metrics a canary cannot be judged: test the idle pool, then switch");
      return new Result("blue-green", because);
    }
    if (ask(answers, Question.SPARE_CAPACITY, because)) {
      because.add("with spare capacity, blue-green gives an instant switch and switch-back");
      return new Result("blue-green", because);
    }
    because.add("rolling needs no extra capacity; pair it with feature flags to release features");
    return new Result("rolling", because);
  }

  private static boolean ask(
      Function<Question, Optional<Boolean>> answers, Question question, List<String> because) {
    boolean yes = answers.apply(question).orElseThrow(() -> new Unanswered(question));
    because.add(question.text + " " + (yes ? "yes" : "no"));
    return yes;
  }

  /** A question the path reached that has no answer. */
  static final class Unanswered extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final transient Question question;

    Unanswered(Question question) {
      super(question.option + " is needed: " + question.text);
      this.question = question;
    }
  }
}
