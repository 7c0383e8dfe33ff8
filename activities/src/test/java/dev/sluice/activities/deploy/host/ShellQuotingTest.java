package dev.sluice.activities.deploy.host;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Quoted argument lists come back from a real {@code sh} as exactly the same list. */
class ShellQuotingTest {

  @Test
  void everyArgumentSurvivesAShellUnchanged() throws Exception {
    List<String> arguments =
        List.of(
            "plain",
            "with space",
            "it's",
            "$(touch /tmp/sluice-quoting-pwned)",
            "`id`",
            "a;b&&c||d|e",
            "\"double\"",
            "back\\slash",
            "*",
            "~",
            "",
            "new\nline",
            "{{version}}",
            "'';'");
    List<String> command = new ArrayList<>(List.of("printf", "%s\\0"));
    command.addAll(arguments);
    Process sh = new ProcessBuilder("sh", "-c", ShellQuoting.join(command)).start();
    String out = new String(sh.getInputStream().readAllBytes(), UTF_8);
    assertThat(sh.waitFor(10, TimeUnit.SECONDS)).isTrue();

    assertThat(sh.exitValue()).isZero();
    assertThat(out.split("\0", -1)).containsExactlyElementsOf(withEmptyTail(arguments));
    assertThat(Path.of("/tmp/sluice-quoting-pwned")).doesNotExist();
  }

  @Test
  void plainArgumentsStayReadable() {
    assertThat(ShellQuoting.join(List.of("docker", "pull", "registry:5000/app:2.0.0")))
        .isEqualTo("docker pull registry:5000/app:2.0.0");
    assertThat(ShellQuoting.quote("it's")).isEqualTo("'it'\\''s'");
  }

  private static List<String> withEmptyTail(List<String> arguments) {
    List<String> expected = new ArrayList<>(arguments);
    expected.add("");
    return expected;
  }
}
