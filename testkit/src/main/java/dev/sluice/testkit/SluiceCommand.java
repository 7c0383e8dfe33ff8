package dev.sluice.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The {@code sluice} command line as a person or a CI job runs it: the real jar in its own process
 * ({@code java -jar sluice.jar …}), {@code SLUICE_URL} pointing at a running server, no terminal
 * and no input.
 *
 * @param jar the server jar holding the CLI
 * @param url the API's address, given as {@code SLUICE_URL}
 * @param dir where each run's output is kept
 */
public record SluiceCommand(Path jar, String url, Path dir) {

  /** What a run printed and how it ended. */
  public record Run(int code, List<String> out, String err) {}

  /** The command line that runs {@code sluice args…}. */
  public List<String> line(String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(List.of(args));
    return command;
  }

  /** Runs {@code sluice args…} and waits (at most five minutes) for it to end. */
  public Run run(String... args) throws IOException, InterruptedException {
    return run(line(args), Map.of(), null, "sluice " + String.join(" ", args));
  }

  /**
   * Runs {@code command} with {@code SLUICE_URL} and {@code env} set, in {@code workDir} (the
   * current one when null), and waits at most five minutes for it to end.
   */
  public Run run(List<String> command, Map<String, String> env, Path workDir, String what)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    if (workDir != null) {
      builder.directory(workDir.toFile());
    }
    builder.environment().put("SLUICE_URL", url);
    builder.environment().putAll(env);
    Process process = builder.start();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError(what + " did not end in 5 minutes");
    }
    return new Run(
        process.exitValue(), Files.readAllLines(out, UTF_8), Files.readString(err, UTF_8));
  }
}
