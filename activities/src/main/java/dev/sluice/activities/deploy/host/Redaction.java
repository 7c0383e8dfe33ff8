package dev.sluice.activities.deploy.host;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks secrets in what a host printed before it goes into a deployment's events: {@code
 * password=…}-like pairs, the key's passphrase, and whatever patterns the settings add.
 */
final class Redaction {

  static final String MASK = "***";
  private static final Pattern PAIRS =
      Pattern.compile(
          "(?i)((?:password|passwd|passphrase|secret|token|api[_-]?key|access[_-]?key)\\w*"
              + "[\"']?\\s*[=:]\\s*[\"']?)[^\\s\"',;]+");

  private final List<Pattern> patterns;

  Redaction(List<Pattern> patterns) {
    this.patterns = List.copyOf(patterns);
  }

  /** {@code text} with every secret masked; {@code secrets} are literal values to mask too. */
  String apply(String text, List<String> secrets) {
    String masked =
        PAIRS.matcher(text).replaceAll(m -> Matcher.quoteReplacement(m.group(1)) + MASK);
    List<String> values = new ArrayList<>(secrets);
    values.removeIf(s -> s == null || s.length() < 4);
    for (String value : values) {
      masked = masked.replace(value, MASK);
    }
    for (Pattern pattern : patterns) {
      masked = pattern.matcher(masked).replaceAll(MASK);
    }
    return masked;
  }
}
