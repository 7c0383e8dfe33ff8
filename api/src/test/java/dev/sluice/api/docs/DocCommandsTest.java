package dev.sluice.api.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.SluiceApplication;
import dev.sluice.api.SluiceConfiguration;
import dev.sluice.api.docs.DocPages.Block;
import dev.sluice.api.docs.DocPages.Line;
import dev.sluice.api.docs.DocPages.Page;
import dev.sluice.cli.SluiceCli;
import io.dropwizard.core.cli.Command;
import io.dropwizard.core.setup.Bootstrap;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.sourceforge.argparse4j.ArgumentParsers;
import net.sourceforge.argparse4j.inf.ArgumentParser;
import net.sourceforge.argparse4j.inf.ArgumentParserException;
import net.sourceforge.argparse4j.inf.Subparsers;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.ParameterException;

/**
 * Every {@code ./sluice …} and {@code sluice …} command line of README.md and docs/*.md parses: the
 * operators' commands with the CLI's own picocli tree ({@link SluiceCli#commandTree}), the server's
 * with the argparse4j parsers of the commands {@link SluiceApplication} registers ({@code server},
 * {@code check}, {@code worker}, {@code judge}, …); {@code demo} is the launcher's, run from the
 * demo jar. Nothing runs. How a line is read: {@code [optional]} brackets are dropped and their
 * contents kept; {@code > file} is dropped; {@code a/b/c} in the command's place is each of a, b,
 * c; a lone {@code …} after an option is its value, elsewhere it elides the rest of the line, which
 * then need not name every required parameter — nor need a command in running text (inline code),
 * which names a command and its options in passing.
 */
class DocCommandsTest {

  @Test
  void everySluiceCommandLineParses() throws IOException {
    List<String> bad = new ArrayList<>();
    int checked = 0;
    for (Candidate line : candidates()) {
      for (String problem : problems(line)) {
        bad.add(line.where() + ": `" + line.text() + "`: " + problem);
      }
      checked++;
    }
    assertThat(checked).as("sluice command lines found").isGreaterThan(30);
    assertThat(bad).isEmpty();
  }

  @Test
  void unknownCommandsAndOptionsAreCaught() throws IOException {
    assertThat(problems(new Candidate("t", "./sluice deploy checkout 1.0 --wiat", false)))
        .singleElement()
        .asString()
        .contains("--wiat");
    assertThat(problems(new Candidate("t", "./sluice deply checkout 1.0", false))).hasSize(1);
    assertThat(problems(new Candidate("t", "./sluice haproxy-config checkout --nope", false)))
        .singleElement()
        .asString()
        .contains("--nope");
    assertThat(problems(new Candidate("t", "./sluice promote", false))).hasSize(1);
    assertThat(problems(new Candidate("t", "sluice promote", true))).isEmpty();
    assertThat(problems(new Candidate("t", "./sluice check [file]", true))).isEmpty();
  }

  /** A command line, where it is, and whether it is running text (or elided). */
  record Candidate(String where, String text, boolean partial) {}

  static List<Candidate> candidates() {
    List<Candidate> lines = new ArrayList<>();
    for (Page page : DocPages.all()) {
      for (Block block : page.blocks()) {
        if (!block.lang().matches("sh|bash|shell|console")) {
          continue;
        }
        for (DocPages.Command command : DocPages.commands(block)) {
          String text = command.text();
          int sub = text.indexOf("<(");
          if (sub >= 0) {
            text = text.substring(sub + 2, text.lastIndexOf(')'));
          }
          text = text.replaceFirst("^([A-Z_]+=\\S+\\s+)+", "");
          if (text.startsWith("./sluice ") || text.startsWith("sluice ")) {
            lines.add(new Candidate(command.where(), text, false));
          }
        }
      }
      for (Line span : page.inlineCode()) {
        String text = span.text();
        if (text.startsWith("./sluice ") || text.startsWith("sluice ")) {
          lines.add(new Candidate(span.where(), text, true));
        }
      }
    }
    return lines;
  }

  static List<String> problems(Candidate line) throws IOException {
    List<String> words = new ArrayList<>();
    boolean partial = line.partial();
    List<String> given = DocPages.words(line.text().replace("[", " ").replace("]", " "));
    for (int i = 1; i < given.size(); i++) {
      String word = given.get(i);
      if (word.equals(">")) {
        i++;
      } else if (word.equals("…")) {
        if (words.isEmpty() || !words.get(words.size() - 1).startsWith("-")) {
          partial = true;
          break;
        }
        words.add("x");
      } else {
        words.add(word);
      }
    }
    if (words.isEmpty()) {
      return List.of("names no command");
    }
    List<String> problems = new ArrayList<>();
    for (String command : words.get(0).split("/")) {
      List<String> args = new ArrayList<>(words);
      args.set(0, command);
      String problem = problem(args, partial);
      if (problem != null) {
        problems.add(problem);
      }
    }
    return problems;
  }

  private static String problem(List<String> args, boolean partial) throws IOException {
    String command = args.get(0);
    if (command.equals("demo")) {
      String launcher = Files.readString(DocPages.root().resolve("sluice"));
      return launcher.contains("\n  demo)") ? null : "the ./sluice launcher has no demo command";
    }
    if (SluiceCli.handles(command)) {
      try {
        SluiceCli.commandTree().parseArgs(args.toArray(String[]::new));
        return null;
      } catch (MissingParameterException e) {
        return partial ? null : "sluice CLI: " + e.getMessage();
      } catch (ParameterException e) {
        return "sluice CLI: " + e.getMessage();
      }
    }
    Map<String, Command> server = serverCommands();
    if (server.containsKey(command)) {
      try {
        serverParser(server).parseArgs(args.toArray(String[]::new));
        return null;
      } catch (ArgumentParserException e) {
        boolean missing =
            e.getMessage().contains("too few arguments") || e.getMessage().contains("is required");
        return partial && missing ? null : "server command: " + e.getMessage();
      }
    }
    return "unknown command \""
        + command
        + "\": neither the CLI's ("
        + CommandLine.class.getSimpleName()
        + " "
        + SluiceCli.commandTree().getSubcommands().keySet()
        + ") nor the server's ("
        + server.keySet()
        + ") nor demo";
  }

  /**
   * The server's commands as {@code java -jar sluice.jar} knows them, Dropwizard's own included.
   */
  static Map<String, Command> serverCommands() {
    Bootstrap<SluiceConfiguration> bootstrap = new Bootstrap<>(new SluiceApplication());
    new SluiceApplication() {
      {
        addDefaultCommands(bootstrap);
      }
    }.initialize(bootstrap);
    Map<String, Command> commands = new TreeMap<>();
    bootstrap.getCommands().forEach(c -> commands.put(c.getName(), c));
    return commands;
  }

  /** Dropwizard's command line parser ({@code Cli}), built without running anything. */
  private static ArgumentParser serverParser(Map<String, Command> commands) {
    ArgumentParser parser = ArgumentParsers.newFor("sluice").build();
    Subparsers subparsers = parser.addSubparsers();
    for (Command command : commands.values()) {
      command.configure(
          subparsers.addParser(command.getName()).description(command.getDescription()));
    }
    return parser;
  }
}
