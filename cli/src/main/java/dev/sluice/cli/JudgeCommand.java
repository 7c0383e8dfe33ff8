package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code sluice judge FILE}: recorded canary and baseline series replayed through the canary judge,
 * interval by interval as a live canary would be judged: by the server ({@code POST
 * /api/v1/analysis/judge}) or, with {@code --offline}, in this process with no server. The exit
 * code is the verdict, in the words {@code deploy --wait} uses: 0 PASS, 2 FAIL, 4 INCONCLUSIVE (a
 * live canary would pause for a person), 1 for input the judge cannot use or a server error.
 */
@Command(
    name = "judge",
    description =
        "Replay recorded metrics (JSON or YAML; - for stdin) through the canary judge. Exit: 0"
            + " PASS, 2 FAIL, 4 INCONCLUSIVE, 1 bad input.")
final class JudgeCommand implements Callable<Integer> {

  static final String PATH = "/api/v1/analysis/judge";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @ParentCommand SluiceCli root;
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "FILE", description = "the series, as POST " + PATH + " takes them")
  String file;

  @Option(
      names = "--offline",
      description = "judge in this process, without a server (same judge, same answer)")
  boolean offline;

  @Override
  public Integer call() {
    JsonNode body = read();
    JsonNode answer;
    if (offline) {
      if (root.offlineJudge == null) {
        throw new SluiceApi.ApiException("--offline needs the judge, which this build lacks");
      }
      answer = root.offlineJudge.apply(body);
      if (!answer.has("verdict")) {
        throw SluiceApi.ApiException.answered(answer.path("code").asInt(400), answer, null);
      }
    } else {
      answer = root.api().post(PATH, body);
    }
    root.output.print(root.out, answer, JudgeCommand::table);
    return exitCode(answer.path("verdict").asText());
  }

  private JsonNode read() {
    try {
      byte[] bytes;
      if (file.equals("-")) {
        InputStream stdin = System.in;
        bytes = stdin.readAllBytes();
      } else {
        bytes = Files.readAllBytes(Path.of(file));
      }
      JsonNode body = YAML.readTree(new String(bytes, StandardCharsets.UTF_8));
      if (body == null || !body.isObject()) {
        throw new ParameterException(spec.commandLine(), file + ": expected one JSON object");
      }
      return body;
    } catch (IOException e) {
      throw new ParameterException(spec.commandLine(), file + ": " + e.getMessage());
    }
  }

  static int exitCode(String verdict) {
    return switch (verdict) {
      case "PASS" -> Outcome.SUCCEEDED.exitCode;
      case "FAIL" -> Outcome.FAILED.exitCode;
      case "INCONCLUSIVE" -> Outcome.PAUSED.exitCode;
      default -> Outcome.API_ERROR;
    };
  }

  static List<String> table(JsonNode result) {
    List<String> lines = new ArrayList<>();
    int decided = result.path("decidedAtInterval").asInt(-1);
    int intervals = result.path("intervals").asInt();
    lines.add(
        result.path("verdict").asText()
            + (decided >= 0
                ? " at interval " + (decided + 1) + " of " + intervals
                : " after " + intervals + " intervals"));
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"METRIC", "VERDICT", "P-VALUE", "FAILED AT", "WHY"});
    for (JsonNode m : result.path("metrics")) {
      rows.add(
          new String[] {
            m.path("name").asText(),
            m.path("verdict").asText(),
            String.format(Locale.ROOT, "%.4g", m.path("pValue").asDouble()),
            m.hasNonNull("failedAtInterval")
                ? "interval " + (m.path("failedAtInterval").asInt() + 1)
                : "",
            m.path("details").asText("")
          });
    }
    lines.addAll(Table.format(rows, ""));
    return lines;
  }
}
