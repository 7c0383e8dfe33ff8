package dev.sluice.api.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.sluice.judge.Judge;
import dev.sluice.judge.JudgeInputException;
import dev.sluice.judge.JudgeRequest;
import dev.sluice.judge.JudgeResult;
import io.dropwizard.core.cli.Command;
import io.dropwizard.core.setup.Bootstrap;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

/**
 * {@code sluice judge FILE}: the canary judge on recorded series, offline — the same replay as
 * {@code POST /api/v1/analysis/judge}, no server needed. Prints the result as JSON. Exit status: 0
 * PASS, 1 FAIL, 2 INCONCLUSIVE, 3 unusable input (the problems are printed as JSON naming each
 * field, like the API's 400). {@code -} reads standard input.
 */
public class JudgeCommand extends Command {

  public static final int PASS = 0;
  public static final int FAIL = 1;
  public static final int INCONCLUSIVE = 2;
  public static final int BAD_INPUT = 3;

  public JudgeCommand() {
    super("judge", "Replays recorded canary metrics through the judge (JSON file, or - for stdin)");
  }

  @Override
  public void configure(Subparser subparser) {
    subparser.addArgument("file").help("the recorded series, as for POST /api/v1/analysis/judge");
  }

  @Override
  public void run(Bootstrap<?> bootstrap, Namespace namespace) throws Exception {
    int status = judge(namespace.getString("file"), System.in, System.out);
    System.out.flush();
    // Dropwizard's runner exits 0 after a command; the verdict is the exit status.
    Runtime.getRuntime().halt(status);
  }

  /** Judges {@code file} ({@code -}: {@code stdin}), printing to {@code out}; the exit status. */
  public static int judge(String file, InputStream stdin, PrintStream out) throws IOException {
    ObjectMapper json =
        new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT);
    JudgeRequest request;
    try {
      byte[] bytes = "-".equals(file) ? stdin.readAllBytes() : Files.readAllBytes(Path.of(file));
      request = json.readValue(bytes, JudgeRequest.class);
    } catch (NoSuchFileException e) {
      return problems(json, out, List.of(Map.of("field", "file", "message", "no such file")));
    } catch (JsonProcessingException e) {
      String field = e instanceof JsonMappingException mapping ? path(mapping) : "body";
      return problems(
          json, out, List.of(Map.of("field", field, "message", e.getOriginalMessage())));
    } catch (IOException e) {
      // A directory, no permission: unusable input, not a verdict.
      return problems(
          json, out, List.of(Map.of("field", "file", "message", String.valueOf(e.getMessage()))));
    }
    try {
      JudgeResult result = Judge.replay(request);
      out.println(json.writeValueAsString(result));
      return switch (result.verdict()) {
        case PASS -> PASS;
        case FAIL -> FAIL;
        case INCONCLUSIVE -> INCONCLUSIVE;
      };
    } catch (JudgeInputException e) {
      return problems(
          json,
          out,
          e.problems().stream()
              .map(p -> Map.of("field", p.field(), "message", p.message()))
              .toList());
    }
  }

  private static int problems(ObjectMapper json, PrintStream out, List<Map<String, String>> errors)
      throws IOException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", "bad_request");
    body.put("field", errors.get(0).get("field"));
    body.put("errors", errors);
    out.println(json.writeValueAsString(body));
    return BAD_INPUT;
  }

  private static String path(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (var ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (path.length() > 0) {
          path.append('.');
        }
        path.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.length() == 0 ? "body" : path.toString();
  }
}
