package dev.sluice.api.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sluice.api.SluiceApplication;
import dev.sluice.api.SluiceConfiguration;
import dev.sluice.api.docs.DocPages.Block;
import dev.sluice.api.docs.DocPages.Page;
import io.dropwizard.configuration.ConfigurationException;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.core.setup.Bootstrap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every ```yaml block of the docs is one of three kinds, and each kind is checked by what reads it:
 * a fragment of Sluice's configuration (its top-level keys are Sluice's settings) is read and
 * validated as {@code sluice check} would; a Prometheus configuration ({@code scrape_configs}) is
 * checked by the real {@code promtool}; a GitHub Actions job runs a script of this repository with
 * the variables that script and the CLI read. A block of another kind fails, so a new one is given
 * a check.
 */
class DocYamlTest {

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** Environment variables the {@code sluice} CLI itself reads. */
  static final Set<String> CLI_VARIABLES = Set.of("SLUICE_URL", "SLUICE_TOKEN");

  enum Kind {
    SLUICE,
    PROMETHEUS,
    GITHUB_ACTIONS
  }

  record Yaml(Block block, JsonNode tree, Kind kind) {}

  static List<Yaml> blocks() throws IOException {
    List<Yaml> blocks = new ArrayList<>();
    for (Page page : DocPages.all()) {
      for (Block block : page.blocks()) {
        if (block.lang().equals("yaml") || block.lang().equals("yml")) {
          JsonNode tree = YAML.readTree(block.text());
          blocks.add(new Yaml(block, tree, kind(tree)));
        }
      }
    }
    return blocks;
  }

  static Kind kind(JsonNode tree) {
    if (tree.has("scrape_configs")) {
      return Kind.PROMETHEUS;
    }
    if (!jobs(tree).isEmpty()) {
      return Kind.GITHUB_ACTIONS;
    }
    Set<String> settings = sluiceSettings();
    for (Iterator<String> keys = tree.fieldNames(); keys.hasNext(); ) {
      if (!settings.contains(keys.next())) {
        return null;
      }
    }
    return tree.isObject() && tree.size() > 0 ? Kind.SLUICE : null;
  }

  /**
   * The GitHub Actions jobs of a block: a workflow's {@code jobs}, jobs by name, or one job (each
   * with {@code runs-on} and {@code steps}); empty when it is none of these.
   */
  static List<JsonNode> jobs(JsonNode tree) {
    JsonNode named = tree.has("jobs") ? tree.path("jobs") : tree;
    if (isJob(named)) {
      return List.of(named);
    }
    List<JsonNode> jobs = new ArrayList<>();
    named.elements().forEachRemaining(jobs::add);
    return !jobs.isEmpty() && jobs.stream().allMatch(DocYamlTest::isJob) ? jobs : List.of();
  }

  static boolean isJob(JsonNode node) {
    return node.isObject() && node.has("runs-on") && node.path("steps").isArray();
  }

  static Set<String> sluiceSettings() {
    ObjectMapper mapper = new Bootstrap<>(new SluiceApplication()).getObjectMapper();
    Set<String> names = new HashSet<>();
    mapper
        .getSerializationConfig()
        .introspect(mapper.constructType(SluiceConfiguration.class))
        .findProperties()
        .forEach(p -> names.add(p.getName()));
    return names;
  }

  @Test
  void everyYamlBlockIsOfAKindThatIsChecked() throws IOException {
    List<String> unknown = new ArrayList<>();
    List<Yaml> blocks = blocks();
    for (Yaml yaml : blocks) {
      if (yaml.kind() == null) {
        unknown.add(yaml.block().where(0) + ": a ```yaml block no test checks");
      }
    }
    assertThat(blocks).extracting(Yaml::kind).contains(Kind.values());
    assertThat(unknown).isEmpty();
  }

  @Test
  void sluiceConfigurationFragmentsAreValidSettings(@TempDir Path dir) throws Exception {
    Bootstrap<SluiceConfiguration> bootstrap = new Bootstrap<>(new SluiceApplication());
    YamlConfigurationFactory<SluiceConfiguration> factory =
        new YamlConfigurationFactory<>(
            SluiceConfiguration.class,
            bootstrap.getValidatorFactory().getValidator(),
            bootstrap.getObjectMapper(),
            "dw");
    List<String> bad = new ArrayList<>();
    for (Yaml yaml : blocks()) {
      if (yaml.kind() != Kind.SLUICE) {
        continue;
      }
      Path file = Files.writeString(dir.resolve("fragment.yml"), yaml.block().text());
      try {
        factory.build(new FileConfigurationSourceProvider(), file.toString());
      } catch (ConfigurationException e) {
        bad.add(yaml.block().where(0) + ": " + e.getMessage());
      }
    }
    assertThat(bad).isEmpty();
  }

  @Test
  void prometheusConfigurationsPassPromtool(@TempDir Path dir) throws Exception {
    Path promtool = Path.of("/usr/bin/promtool");
    assertThat(promtool)
        .as("promtool (Debian's prometheus package, installed by scripts/install-tools)")
        .isExecutable();
    List<String> bad = new ArrayList<>();
    for (Yaml yaml : blocks()) {
      if (yaml.kind() != Kind.PROMETHEUS) {
        continue;
      }
      Path file = Files.writeString(dir.resolve("prometheus.yml"), yaml.block().text());
      Process check =
          new ProcessBuilder(promtool.toString(), "check", "config", file.toString())
              .redirectErrorStream(true)
              .start();
      String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(check.waitFor(30, TimeUnit.SECONDS)).as("promtool ended").isTrue();
      if (check.exitValue() != 0) {
        bad.add(yaml.block().where(0) + ": promtool: " + out.strip());
      }
    }
    assertThat(bad).isEmpty();
  }

  private static final Pattern VARIABLE = Pattern.compile("\\$\\{?([A-Z][A-Z0-9_]*)");

  @Test
  void gitHubActionsJobsRunAScriptOfThisRepositoryWithTheVariablesItReads() throws IOException {
    Path root = DocPages.root();
    List<String> bad = new ArrayList<>();
    for (Yaml yaml : blocks()) {
      if (yaml.kind() != Kind.GITHUB_ACTIONS) {
        continue;
      }
      List<JsonNode> steps = new ArrayList<>();
      jobs(yaml.tree()).forEach(job -> job.path("steps").elements().forEachRemaining(steps::add));
      for (JsonNode step : steps) {
        if (!step.has("run")) {
          continue;
        }
        String script = step.path("run").asText().strip().split("\\s+")[0];
        Path file = root.resolve(script);
        if (!Files.isExecutable(file)) {
          bad.add(yaml.block().where(0) + ": runs " + script + ", no executable file of the repo");
          continue;
        }
        Set<String> read = new HashSet<>(CLI_VARIABLES);
        Matcher used = VARIABLE.matcher(Files.readString(file));
        while (used.find()) {
          read.add(used.group(1));
        }
        for (Iterator<String> set = step.path("env").fieldNames(); set.hasNext(); ) {
          String variable = set.next();
          if (!read.contains(variable)) {
            bad.add(
                yaml.block().where(0)
                    + ": sets "
                    + variable
                    + ", which neither "
                    + script
                    + " nor the CLI reads");
          }
        }
        for (String needed : CLI_VARIABLES) {
          if (!step.path("env").has(needed)) {
            bad.add(yaml.block().where(0) + ": the step does not set " + needed);
          }
        }
      }
    }
    assertThat(bad).isEmpty();
  }
}
