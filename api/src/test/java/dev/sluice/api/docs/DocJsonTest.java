package dev.sluice.api.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.api.docs.DocPages.Block;
import dev.sluice.api.docs.DocPages.Page;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every ```json block and every curl body ({@code -d '…'}) parses as strict JSON. Two rules, stated
 * here and in docs/testing.md: a block that begins with {@code "name":} is a fragment — members of
 * an object — and is parsed inside braces; a block with an ellipsis ({@code …} or {@code ...})
 * outside string literals is elided on purpose and skipped. A curl body is never elided.
 */
class DocJsonTest {

  static final ObjectMapper STRICT =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  @Test
  void everyJsonBlockParsesUnlessItElides() {
    List<String> bad = new ArrayList<>();
    int parsed = 0;
    for (Page page : DocPages.all()) {
      for (Block block : page.blocks()) {
        if (!block.lang().equals("json") || elides(block.text())) {
          continue;
        }
        String problem = problem(document(block.text()));
        parsed++;
        if (problem != null) {
          bad.add(block.where(0) + ": ```json block does not parse: " + problem);
        }
      }
    }
    assertThat(parsed).as("json blocks parsed").isGreaterThan(10);
    assertThat(bad).isEmpty();
  }

  @Test
  void everyCurlBodyParses() {
    List<String> bad = new ArrayList<>();
    List<CurlExample> examples = CurlExample.all();
    for (CurlExample curl : examples) {
      if (curl.body() != null) {
        String problem = problem(curl.body());
        if (problem != null) {
          bad.add(curl.where() + ": the body of " + curl.request() + " does not parse: " + problem);
        }
      }
    }
    assertThat(examples.stream().filter(c -> c.body() != null)).hasSizeGreaterThan(10);
    assertThat(bad).isEmpty();
  }

  @Test
  void theElisionAndFragmentRulesAreNarrow() {
    assertThat(elides("{\"a\": [1, …]}")).isTrue();
    assertThat(elides("{\"a\": [1, ...]}")).isTrue();
    assertThat(elides("{\"message\": \"canary 0.00% vs …\", \"b\": \"...\"}")).isFalse();
    assertThat(problem(document("\"a\": {\"b\": 1}"))).isNull();
    assertThat(problem(document("{\"a\": 1,}"))).isNotNull();
    assertThat(problem(document("{\"a\": 1} {"))).isNotNull();
  }

  /** Whether the text has an ellipsis outside its string literals. */
  static boolean elides(String json) {
    boolean inString = false;
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '…' || json.startsWith("...", i)) {
        return true;
      }
    }
    return false;
  }

  /** A fragment ({@code "key": …}) inside braces; a document as it is. */
  static String document(String json) {
    return json.strip().startsWith("\"") ? "{" + json + "}" : json;
  }

  static String problem(String json) {
    try {
      JsonNode node = STRICT.readTree(json);
      return node == null ? "empty" : null;
    } catch (JsonProcessingException e) {
      return e.getOriginalMessage()
          + " at line "
          + e.getLocation().getLineNr()
          + ", column "
          + e.getLocation().getColumnNr();
    }
  }
}
