package dev.sluice.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code sluice recommend}: which strategy, by the chapter's decision tree, asked interactively on
 * a terminal or answered by options ({@code --instant-rollback=no --high-risk=yes
 * --can-monitor=yes}); prints the strategy, why, and the deploy command. Needs no server.
 */
@Command(
    name = "recommend",
    description = {
      "Which strategy to use, by the decision tree of rolling, blue-green and canary:",
      "asks on a terminal, or answer with the options (yes/no)."
    })
final class RecommendCommand implements Callable<Integer> {

  @ParentCommand SluiceCli root;
  @Spec CommandSpec spec;

  @Option(names = "--instant-rollback", paramLabel = "yes|no", arity = "1")
  String instantRollback;

  @Option(names = "--high-risk", paramLabel = "yes|no", arity = "1")
  String highRisk;

  @Option(names = "--can-monitor", paramLabel = "yes|no", arity = "1")
  String canMonitor;

  @Option(names = "--spare-capacity", paramLabel = "yes|no", arity = "1")
  String spareCapacity;

  @Override
  public Integer call() {
    Map<Recommendation.Question, Boolean> given = new EnumMap<>(Recommendation.Question.class);
    put(given, Recommendation.Question.INSTANT_ROLLBACK, instantRollback);
    put(given, Recommendation.Question.HIGH_RISK, highRisk);
    put(given, Recommendation.Question.CAN_MONITOR, canMonitor);
    put(given, Recommendation.Question.SPARE_CAPACITY, spareCapacity);
    Recommendation.Result result;
    try {
      result = Recommendation.decide(q -> Optional.ofNullable(given.get(q)).or(() -> ask(q)));
    } catch (Recommendation.Unanswered e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    ObjectNode answer = JsonNodeFactory.instance.objectNode().put("strategy", result.strategy());
    result.because().forEach(answer.putArray("because")::add);
    root.output.print(
        root.out,
        answer,
        a -> {
          List<String> lines = new ArrayList<>();
          lines.add("Use " + result.strategy() + ".");
          result.because().forEach(line -> lines.add("  " + line));
          lines.add("  sluice deploy SERVICE VERSION --strategy " + result.strategy() + " --wait");
          lines.add(
              "For most changes: rolling for deployments, feature flags for releases"
                  + " (docs/flags.md).");
          return lines;
        });
    return 0;
  }

  private void put(
      Map<Recommendation.Question, Boolean> given, Recommendation.Question q, String value) {
    if (value != null) {
      given.put(q, yesOrNo(q.option, value));
    }
  }

  private Boolean yesOrNo(String option, String value) {
    return switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "yes", "y", "true" -> true;
      case "no", "n", "false" -> false;
      default ->
          throw new ParameterException(
              spec.commandLine(), option + ": answer yes or no, not '" + value + "'");
    };
  }

  /** Asks on the terminal; empty when there is none (the option is then needed). */
  private Optional<Boolean> ask(Recommendation.Question question) {
    BufferedReader in = root.in;
    if (in == null) {
      return Optional.empty();
    }
    try {
      while (true) {
        root.out.print(question.text + " [yes/no] ");
        root.out.flush();
        String line = in.readLine();
        if (line == null) {
          return Optional.empty();
        }
        switch (line.strip().toLowerCase(Locale.ROOT)) {
          case "yes", "y" -> {
            return Optional.of(true);
          }
          case "no", "n" -> {
            return Optional.of(false);
          }
          default -> root.out.println("  yes or no, please");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
