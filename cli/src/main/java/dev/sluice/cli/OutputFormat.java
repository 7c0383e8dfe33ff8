package dev.sluice.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.Function;

/** {@code --output}: a table for people, or the API's own JSON or YAML for scripts. */
enum OutputFormat {
  table,
  json,
  yaml;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML =
      new ObjectMapper(
          new YAMLFactory()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

  /** Prints {@code answer}: as {@code table(answer)} for a table, else as it came. */
  void print(PrintWriter out, JsonNode answer, Function<JsonNode, List<String>> table) {
    try {
      switch (this) {
        case table -> table.apply(answer).forEach(out::println);
        case json -> out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(answer));
        case yaml -> out.print(YAML.writeValueAsString(answer));
      }
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
    out.flush();
  }
}
