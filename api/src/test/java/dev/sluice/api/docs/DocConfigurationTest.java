package dev.sluice.api.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.jsontype.NamedType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sluice.api.SluiceConfiguration;
import dev.sluice.api.docs.DocPages.Line;
import io.dropwizard.core.Configuration;
import io.dropwizard.jackson.Jackson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md's tables against {@link SluiceConfiguration} as Jackson reads it: every key
 * a table names is a property (Dropwizard's own {@code server.…} and {@code logging.…} included,
 * through their registered subtypes); every property of Sluice's own settings is documented; and
 * every environment variable of the shipped-file table is the one config/sluice.yml substitutes at
 * that key, with the default the table gives.
 *
 * <p>How a key cell is read: its first code span is the key; a span starting with {@code .} is a
 * sibling of the key before ({@code temporal.tls.enabled}, {@code .caCertFile}); a lower-case span
 * in parentheses is a child ({@code auth.tokens[]} ({@code name}…)), an upper-case one an
 * environment variable; {@code {a,b}} expands; {@code [0]} or {@code []} is a list's element,
 * {@code <name>} or {@code *} a map's value, and a trailing {@code .*} any property.
 */
class DocConfigurationTest {

  static final ObjectMapper JSON = Jackson.newObjectMapper();
  static final String PAGE = "docs/configuration.md";

  @Test
  void everyDocumentedKeyIsASetting() {
    List<String> bad = new ArrayList<>();
    Map<String, Line> keys = documentedKeys().keys;
    for (Map.Entry<String, Line> key : keys.entrySet()) {
      String problem = resolve(key.getKey());
      if (problem != null) {
        bad.add(key.getValue().where() + ": `" + key.getKey() + "` is no setting: " + problem);
      }
    }
    assertThat(keys).as("documented keys").hasSizeGreaterThan(30);
    assertThat(bad).isEmpty();
  }

  @Test
  void everySettingOfSluicesOwnIsDocumented() {
    Documented documented = documentedKeys();
    List<String> missing = new ArrayList<>();
    for (BeanPropertyDefinition property : properties(type(SluiceConfiguration.class))) {
      if (property.getPrimaryMember().getDeclaringClass() != Configuration.class) {
        walk(property.getName(), property.getPrimaryType(), documented, missing);
      }
    }
    assertThat(missing).as("settings no table of " + PAGE + " names").isEmpty();
  }

  @Test
  void theShippedFileSubstitutesTheDocumentedVariablesWithTheDocumentedDefaults()
      throws IOException {
    JsonNode shipped =
        new ObjectMapper(new YAMLFactory())
            .readTree(DocPages.root().resolve("config/sluice.yml").toFile());
    List<String> bad = new ArrayList<>();
    int rows = 0;
    for (Row row : rows()) {
      if (!row.header().get(1).equalsIgnoreCase("environment variable")) {
        continue;
      }
      rows++;
      String key = spans(row.cells().get(0)).get(0);
      JsonNode value = shipped;
      for (String segment : key.split("\\.")) {
        Matcher indexed = Pattern.compile("(.+)\\[(\\d+)]").matcher(segment);
        value =
            indexed.matches()
                ? value.path(indexed.group(1)).path(Integer.parseInt(indexed.group(2)))
                : value.path(segment);
      }
      if (value.isMissingNode()) {
        bad.add(row.line().where() + ": `" + key + "` is not in config/sluice.yml");
        continue;
      }
      String text = value.isValueNode() ? value.asText() : null;
      List<String> variables = spans(row.cells().get(1));
      String shippedDefault = text;
      if (!variables.isEmpty()) {
        String variable = variables.get(0);
        Matcher substituted =
            Pattern.compile("\\$\\{" + variable + "(?::-(.*))?}").matcher(text == null ? "" : text);
        if (!substituted.matches()) {
          bad.add(
              row.line().where()
                  + ": config/sluice.yml has `"
                  + key
                  + ": "
                  + text
                  + "`, not ${"
                  + variable
                  + ":-…}");
          continue;
        }
        shippedDefault = substituted.group(1);
      }
      List<String> defaults = spans(row.cells().get(2));
      if (shippedDefault != null
          && !defaults.isEmpty()
          && !defaults.get(0).equals(shippedDefault)) {
        bad.add(
            row.line().where()
                + ": `"
                + key
                + "` defaults to `"
                + shippedDefault
                + "` in config/sluice.yml, the table says `"
                + defaults.get(0)
                + "`");
      }
    }
    assertThat(rows).as("rows of the shipped file's table").isGreaterThan(10);
    assertThat(bad).isEmpty();
  }

  @Test
  void keysResolveThroughListsMapsAndSubtypes() {
    assertThat(resolve("server.applicationConnectors[0].port")).isNull();
    assertThat(resolve("migrations.datasources.<name>.passwordEnv")).isNull();
    assertThat(resolve("auth.tokens[].admin")).isNull();
    assertThat(resolve("temporal.tls.nope")).contains("nope");
    assertThat(resolve("limits.maxBodyByte")).contains("maxBodyByte");
  }

  // --- the tables

  record Row(Line line, List<String> header, List<String> cells) {}

  static List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    List<String> header = null;
    for (Line line : DocPages.page(PAGE).prose()) {
      String text = line.text().strip();
      if (!text.startsWith("|")) {
        header = null;
        continue;
      }
      List<String> cells = cells(text);
      if (header == null) {
        header = cells;
      } else if (!cells.get(0).matches("-+") && header.get(0).equalsIgnoreCase("key")) {
        rows.add(new Row(line, header, cells));
      }
    }
    return rows;
  }

  private static List<String> cells(String row) {
    List<String> cells = new ArrayList<>();
    for (String cell : row.substring(1).split("(?<!\\\\)\\|", -1)) {
      cells.add(cell.strip());
    }
    return cells;
  }

  private static final Pattern SPAN = Pattern.compile("`([^`]+)`");

  private static List<String> spans(String cell) {
    List<String> spans = new ArrayList<>();
    Matcher span = SPAN.matcher(cell);
    while (span.find()) {
      spans.add(span.group(1));
    }
    return spans;
  }

  /** The keys the tables name, where, and each row's text (which may name sub-keys). */
  record Documented(Map<String, Line> keys, Map<String, String> rowText) {}

  static Documented documentedKeys() {
    Map<String, Line> keys = new LinkedHashMap<>();
    Map<String, String> rowText = new LinkedHashMap<>();
    for (Row row : rows()) {
      String cell = row.cells().get(0);
      String base = null;
      Matcher span = SPAN.matcher(cell);
      while (span.find()) {
        String token = span.group(1);
        boolean inParentheses =
            cell.lastIndexOf('(', span.start()) > cell.lastIndexOf(')', span.start());
        String key;
        if (token.matches("[A-Z][A-Z0-9_]*")) {
          continue;
        } else if (base == null) {
          key = token;
        } else if (token.startsWith(".")) {
          key = base.substring(0, base.lastIndexOf('.')) + token;
        } else if (inParentheses) {
          key = base + "." + token;
        } else {
          key = token;
        }
        for (String expanded : expand(key)) {
          keys.putIfAbsent(expanded, row.line());
          rowText.merge(expanded, String.join(" | ", row.cells()), (a, b) -> a + " | " + b);
        }
        if (base == null || !inParentheses && !token.startsWith(".")) {
          base = key;
        }
      }
    }
    return new Documented(keys, rowText);
  }

  private static List<String> expand(String key) {
    Matcher braces = Pattern.compile("\\{([^}]*)}").matcher(key);
    if (!braces.find()) {
      return List.of(key);
    }
    List<String> keys = new ArrayList<>();
    for (String choice : braces.group(1).split(",")) {
      keys.addAll(
          expand(key.substring(0, braces.start()) + choice.strip() + key.substring(braces.end())));
    }
    return keys;
  }

  // --- the configuration classes, as Jackson reads them

  static JavaType type(Class<?> type) {
    return JSON.constructType(type);
  }

  static List<BeanPropertyDefinition> properties(JavaType type) {
    DeserializationConfig config = JSON.getDeserializationConfig();
    BeanDescription description = config.introspect(type);
    List<BeanPropertyDefinition> properties = new ArrayList<>();
    for (BeanPropertyDefinition property : description.findProperties()) {
      if (property.couldDeserialize()) {
        properties.add(property);
      }
    }
    return properties;
  }

  /** The type a key names, through the subtypes Dropwizard registers for abstract ones. */
  private static Optional<JavaType> property(JavaType owner, String name) {
    List<JavaType> candidates = new ArrayList<>();
    candidates.add(owner);
    if (owner.isAbstract() || owner.isInterface()) {
      DeserializationConfig config = JSON.getDeserializationConfig();
      for (NamedType subtype :
          JSON.getSubtypeResolver()
              .collectAndResolveSubtypesByClass(config, config.introspect(owner).getClassInfo())) {
        candidates.add(type(subtype.getType()));
      }
    }
    for (JavaType candidate : candidates) {
      for (BeanPropertyDefinition property : properties(candidate)) {
        if (property.getName().equals(name)) {
          return Optional.of(property.getPrimaryType());
        }
      }
    }
    return Optional.empty();
  }

  /** Null when {@code key} names a setting, else what is wrong. */
  static String resolve(String key) {
    JavaType type = type(SluiceConfiguration.class);
    String path = "";
    for (String segment : key.split("\\.")) {
      if (segment.equals("*") && type.isMapLikeType()) {
        type = type.getContentType();
        continue;
      }
      if (segment.equals("*")) {
        return null;
      }
      if (segment.matches("<[^>]+>")) {
        if (!type.isMapLikeType()) {
          return path + " is not a map";
        }
        type = type.getContentType();
        path += "." + segment;
        continue;
      }
      Matcher element = Pattern.compile("([^\\[]+)(\\[\\d*])?").matcher(segment);
      if (!element.matches()) {
        return "cannot read " + segment;
      }
      Optional<JavaType> found = property(type, element.group(1));
      if (found.isEmpty()) {
        return (path.isEmpty()
                ? ""
                : path.substring(1) + " (" + type.getRawClass().getSimpleName() + ") has no ")
            + "property "
            + element.group(1)
            + " (it has: "
            + properties(type).stream().map(BeanPropertyDefinition::getName).toList()
            + ")";
      }
      type = found.get();
      path += "." + segment;
      if (element.group(2) != null) {
        if (!type.isCollectionLikeType()) {
          return path.substring(1) + " is not a list";
        }
        type = type.getContentType();
      }
    }
    return null;
  }

  private static void walk(
      String path, JavaType type, Documented documented, List<String> missing) {
    JavaType element = type;
    String elementPath = path;
    if (type.isCollectionLikeType()) {
      element = type.getContentType();
      elementPath = path + "[]";
    } else if (type.isMapLikeType()) {
      element = type.getContentType();
      elementPath = path + ".<name>";
    }
    boolean ours =
        element.getRawClass().getName().startsWith("dev.sluice.")
            && !element.isEnumType()
            && !properties(element).isEmpty();
    if (!ours) {
      if (!isDocumented(path, documented)) {
        missing.add(path);
      }
      return;
    }
    for (BeanPropertyDefinition property : properties(element)) {
      walk(elementPath + "." + property.getName(), property.getPrimaryType(), documented, missing);
    }
  }

  /**
   * A key is documented when a table names it or a key under it, or when the row of its nearest
   * documented ancestor names its last part as a word ({@code notifications.webhooks[]}: {@code
   * {name, url or urlEnv…}}).
   */
  private static boolean isDocumented(String path, Documented documented) {
    String normal = normal(path);
    for (String key : documented.keys().keySet()) {
      String documentedKey = normal(key);
      if (documentedKey.equals(normal) || documentedKey.startsWith(normal + ".")) {
        return true;
      }
    }
    String name = path.substring(path.lastIndexOf('.') + 1).replace("[]", "");
    for (String ancestor = parent(path); ancestor != null; ancestor = parent(ancestor)) {
      for (Map.Entry<String, String> row : documented.rowText().entrySet()) {
        if (normal(row.getKey()).equals(normal(ancestor))
            || normal(row.getKey()).equals(normal(ancestor) + ".*")) {
          return Pattern.compile("\\b" + Pattern.quote(name) + "\\b")
              .matcher(row.getValue())
              .find();
        }
      }
    }
    return false;
  }

  private static String parent(String path) {
    int dot = path.lastIndexOf('.');
    return dot < 0 ? null : path.substring(0, dot);
  }

  /**
   * {@code a[0].b}, {@code a[].b} → {@code a.b}; {@code m.<name>.x}, {@code m.*.x} → {@code m.x}.
   */
  private static String normal(String key) {
    return key.replaceAll("\\[\\d*]", "").replaceAll("\\.(<[^>]+>|\\*)(?=\\.)", "");
  }
}
