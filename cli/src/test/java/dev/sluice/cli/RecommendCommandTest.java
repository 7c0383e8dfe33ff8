package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code sluice recommend}: every leaf of the chapter's decision tree, asked or answered. */
class RecommendCommandTest {

  record Run(int code, String out, String err) {}

  static Run run(String input, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    BufferedReader in = input == null ? null : new BufferedReader(new StringReader(input));
    int code = SluiceCli.run(args, in, new PrintWriter(out), new PrintWriter(err), Map.of());
    return new Run(code, out.toString(), err.toString());
  }

  static String strategy(String... answers) throws Exception {
    String[] args = new String[answers.length + 2];
    args[0] = "recommend";
    System.arraycopy(answers, 0, args, 1, answers.length);
    args[args.length - 1] = "-o=json";
    Run run = run(null, args);
    assertThat(run.code()).as(run.err()).isZero();
    return new ObjectMapper().readTree(run.out()).path("strategy").asText();
  }

  @Test
  void everyLeafOfTheTree() throws Exception {
    assertThat(strategy("--instant-rollback=yes")).isEqualTo("blue-green");
    assertThat(strategy("--instant-rollback=no", "--high-risk=yes", "--can-monitor=yes"))
        .isEqualTo("canary");
    assertThat(strategy("--instant-rollback=no", "--high-risk=yes", "--can-monitor=no"))
        .isEqualTo("blue-green");
    assertThat(strategy("--instant-rollback=no", "--high-risk=no", "--spare-capacity=yes"))
        .isEqualTo("blue-green");
    assertThat(strategy("--instant-rollback=no", "--high-risk=no", "--spare-capacity=no"))
        .isEqualTo("rolling");
  }

  @Test
  void onATerminalItAsksOnlyWhatThePathNeedsAndSaysWhy() {
    Run run = run("no\nmaybe\nyes\ny\n", "recommend");
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("Do you need instant rollback")
        .contains("yes or no, please")
        .contains("Can you monitor user impact")
        .doesNotContain("twice the capacity [yes/no]")
        .contains("Use canary.")
        .contains("sluice deploy SERVICE VERSION --strategy canary --wait");
  }

  @Test
  void withoutATerminalAMissingAnswerNamesItsOption() {
    for (List<String> args :
        List.of(
            List.of("recommend"),
            List.of("recommend", "--instant-rollback=no", "--high-risk=no"),
            List.of("recommend", "--instant-rollback=perhaps"))) {
      Run run = run(null, args.toArray(String[]::new));
      assertThat(run.code()).as(args.toString()).isEqualTo(64);
      assertThat(run.err()).containsAnyOf("is needed", "answer yes or no");
    }
    assertThat(run(null, "recommend", "--instant-rollback=no", "--high-risk=no").err())
        .contains("--spare-capacity is needed");
  }
}
