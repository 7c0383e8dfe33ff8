package dev.sluice.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** How wide the terminal is: {@code COLUMNS}, else {@code stty size} on it, else 120. */
final class TerminalWidth {

  static final int FALLBACK = 120;

  private TerminalWidth() {}

  static int of(Map<String, String> env) {
    Integer columns = parse(env.get("COLUMNS"));
    if (columns != null) {
      return columns;
    }
    try {
      Process stty =
          new ProcessBuilder("stty", "size")
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/tty")))
              .redirectErrorStream(true)
              .start();
      String answer = new String(stty.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (stty.waitFor(2, TimeUnit.SECONDS) && stty.exitValue() == 0) {
        String[] rowsColumns = answer.strip().split("\\s+");
        Integer width = rowsColumns.length == 2 ? parse(rowsColumns[1]) : null;
        if (width != null) {
          return width;
        }
      }
    } catch (IOException e) {
      // No stty or no terminal: the fallback.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return FALLBACK;
  }

  /** {@code line} cut to {@code width} characters, ending with … when cut. */
  static String cut(String line, int width) {
    if (line.length() <= width) {
      return line;
    }
    return line.substring(0, Math.max(0, width - 1)) + "…";
  }

  private static Integer parse(String text) {
    if (text == null) {
      return null;
    }
    try {
      int value = Integer.parseInt(text.strip());
      return value >= 20 ? value : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
