package dev.sluice.api.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * README.md and docs/*.md as the documentation tests read them: fenced blocks, inline code, links
 * and headings, each with the line it starts on, so a failure names {@code docs/api.md:27}.
 */
final class DocPages {

  private DocPages() {}

  /**
   * The repository's root: the first directory up from the working one with README.md and docs/.
   */
  static Path root() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      if (Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("docs"))) {
        return dir;
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException(
        "no README.md with docs/ above " + Path.of("").toAbsolutePath());
  }

  /** README.md, then every docs/*.md by name. */
  static List<Page> all() {
    Path root = root();
    List<Page> pages = new ArrayList<>();
    pages.add(Page.read(root, root.resolve("README.md")));
    try (Stream<Path> files = Files.list(root.resolve("docs"))) {
      files
          .filter(f -> f.getFileName().toString().endsWith(".md"))
          .sorted()
          .forEach(f -> pages.add(Page.read(root, f)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return pages;
  }

  static Page page(String name) {
    return all().stream()
        .filter(p -> p.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no page " + name));
  }

  /** A fenced block: its info string ({@code sh}, {@code json}, or empty) and its lines. */
  record Block(Page page, String lang, int firstLine, List<String> lines) {
    String text() {
      return String.join("\n", lines);
    }

    String where(int offset) {
      return page.name() + ":" + (firstLine + offset);
    }
  }

  /** A line of prose (outside fenced blocks), with its number. */
  record Line(Page page, int number, String text) {
    String where() {
      return page.name() + ":" + number;
    }
  }

  private static final Pattern FENCE = Pattern.compile("^\\s*```\\s*([A-Za-z0-9_-]*).*$");
  private static final Pattern INLINE_CODE = Pattern.compile("`([^`]+)`");
  private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.*?)\\s*#*\\s*$");

  /** One Markdown file: its path relative to the root and its lines. */
  record Page(Path root, Path file, List<String> lines) {

    static Page read(Path root, Path file) {
      try {
        return new Page(root, file, Files.readAllLines(file));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    String name() {
      return root.relativize(file).toString().replace('\\', '/');
    }

    List<Block> blocks() {
      List<Block> blocks = new ArrayList<>();
      String lang = null;
      int first = 0;
      List<String> body = null;
      for (int i = 0; i < lines.size(); i++) {
        Matcher fence = FENCE.matcher(lines.get(i));
        if (fence.matches()) {
          if (body == null) {
            lang = fence.group(1);
            first = i + 2;
            body = new ArrayList<>();
          } else {
            blocks.add(new Block(this, lang, first, body));
            body = null;
          }
        } else if (body != null) {
          body.add(lines.get(i));
        }
      }
      return blocks;
    }

    /** The lines outside fenced blocks. */
    List<Line> prose() {
      List<Line> prose = new ArrayList<>();
      boolean inBlock = false;
      for (int i = 0; i < lines.size(); i++) {
        if (FENCE.matcher(lines.get(i)).matches()) {
          inBlock = !inBlock;
        } else if (!inBlock) {
          prose.add(new Line(this, i + 1, lines.get(i)));
        }
      }
      return prose;
    }

    /** Every inline code span of the prose, with its line. */
    List<Line> inlineCode() {
      List<Line> spans = new ArrayList<>();
      for (Line line : prose()) {
        Matcher code = INLINE_CODE.matcher(line.text());
        while (code.find()) {
          spans.add(new Line(this, line.number(), code.group(1)));
        }
      }
      return spans;
    }

    /** The anchors GitHub gives this page's headings. */
    List<String> anchors() {
      List<String> anchors = new ArrayList<>();
      for (Line line : prose()) {
        Matcher heading = HEADING.matcher(line.text());
        if (heading.matches()) {
          String slug = slug(heading.group(2));
          String unique = slug;
          for (int n = 1; anchors.contains(unique); n++) {
            unique = slug + "-" + n;
          }
          anchors.add(unique);
        }
      }
      return anchors;
    }
  }

  /**
   * GitHub's heading anchor: lower case, inline markup and punctuation dropped (letters, digits,
   * spaces, {@code -} and {@code _} kept), each space a hyphen; duplicates get {@code -1}, {@code
   * -2}… (in {@link Page#anchors}).
   */
  static String slug(String heading) {
    String text = heading.replaceAll("\\[([^\\]]*)]\\([^)]*\\)", "$1").toLowerCase(Locale.ROOT);
    StringBuilder slug = new StringBuilder();
    text.codePoints()
        .forEach(
            c -> {
              if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
                slug.appendCodePoint(c);
              } else if (c == ' ') {
                slug.append('-');
              }
            });
    return slug.toString();
  }

  /**
   * The commands of a shell block: continuation lines ({@code \}) and single-quoted strings that
   * span lines joined, comments after an unquoted {@code #} dropped. Each comes with the offset of
   * its first line in the block.
   */
  static List<Command> commands(Block block) {
    List<Command> commands = new ArrayList<>();
    StringBuilder current = null;
    int start = 0;
    boolean quoted = false;
    for (int i = 0; i < block.lines().size(); i++) {
      String line = block.lines().get(i);
      if (current == null) {
        if (line.isBlank() || line.strip().startsWith("#")) {
          continue;
        }
        current = new StringBuilder();
        start = i;
      }
      StringBuilder kept = new StringBuilder();
      for (int c = 0; c < line.length(); c++) {
        char ch = line.charAt(c);
        if (ch == '\'') {
          quoted = !quoted;
        } else if (ch == '#' && !quoted && (c == 0 || Character.isWhitespace(line.charAt(c - 1)))) {
          break;
        }
        kept.append(ch);
      }
      String text = kept.toString().stripTrailing();
      if (!quoted && text.endsWith("\\")) {
        current.append(text, 0, text.length() - 1).append(' ');
        continue;
      }
      current.append(text).append(quoted ? "\n" : "");
      if (!quoted) {
        commands.add(new Command(block.where(start), current.toString().strip()));
        current = null;
      }
    }
    return commands;
  }

  /** A shell command line of a page, where it starts, and its words. */
  record Command(String where, String text) {
    List<String> words() {
      return DocPages.words(text);
    }
  }

  /** Splits a shell line into words: single and double quotes group, and are removed. */
  static List<String> words(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder word = null;
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          word.append(c);
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
        word = word == null ? new StringBuilder() : word;
      } else if (Character.isWhitespace(c)) {
        if (word != null) {
          words.add(word.toString());
          word = null;
        }
      } else {
        word = word == null ? new StringBuilder() : word;
        word.append(c);
      }
    }
    if (word != null) {
      words.add(word.toString());
    }
    return words;
  }
}
