package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;

/**
 * {@code sluice}, the command line for operators and CI, over the REST API only: {@code deploy
 * SERVICE VERSION [--wait]}, {@code get deployment ID [--watch]}, {@code list}, the controls
 * ({@code promote}, {@code abort}, {@code pause}, {@code resume}, {@code retry}), {@code history},
 * {@code rollback}, {@code services}. The server is {@code --url}, else {@code SLUICE_URL}, else
 * {@value SluiceApi#DEFAULT_URL}; a token in {@code SLUICE_TOKEN} is sent as a bearer token.
 *
 * <p>Exit codes: 0 done (or succeeded), 2 rolled back / failed / aborted, 3 timed out, 4 paused for
 * a person, 1 an API error (one line on stderr), 64 a command line that does not parse.
 */
@Command(
    name = "sluice",
    // Inherited: every subcommand has --help and the same exit codes for bad input.
    scope = ScopeType.INHERIT,
    mixinStandardHelpOptions = true,
    versionProvider = SluiceCli.Version.class,
    description = "Deploy, watch and steer Sluice deployments over its REST API.",
    subcommands = {
      DeployCommand.class,
      GetCommand.class,
      ListCommand.class,
      HistoryCommand.class,
      RollbackCommand.class,
      ServicesCommand.class,
      RecommendCommand.class,
      FlagsCommand.class,
      StatusCommands.Releases.class,
      StatusCommands.Migrations.class,
      StatusCommands.DualWrites.class,
      JudgeCommand.class,
      TokenCommand.class,
      AutoComplete.GenerateCompletion.class
    },
    exitCodeOnInvalidInput = Outcome.USAGE,
    exitCodeOnExecutionException = Outcome.API_ERROR)
public final class SluiceCli {

  @Option(
      names = "--url",
      scope = ScopeType.INHERIT,
      paramLabel = "URL",
      description = "the Sluice server (default: $SLUICE_URL, else " + SluiceApi.DEFAULT_URL + ")")
  String url;

  @Option(
      names = {"-o", "--output"},
      scope = ScopeType.INHERIT,
      paramLabel = "FORMAT",
      description = "table (default), json or yaml")
  OutputFormat output = OutputFormat.table;

  final PrintWriter out;
  final PrintWriter err;
  final Map<String, String> env;

  /**
   * The terminal's input when the CLI runs on one (then {@code --watch} redraws one screen in place
   * and {@code recommend} asks its questions); null otherwise.
   */
  final BufferedReader in;

  /** Whether the CLI runs on a terminal. */
  final boolean terminal;

  /**
   * The judge in this process, for {@code judge --offline}: takes the body of {@code POST
   * /api/v1/analysis/judge} and answers as that endpoint does (its result, or its 400 error body).
   * The launcher plugs in the real judge; null where none is (the CLI alone talks only REST).
   */
  final UnaryOperator<JsonNode> offlineJudge;

  private SluiceApi api;

  SluiceCli(
      PrintWriter out,
      PrintWriter err,
      Map<String, String> env,
      BufferedReader in,
      UnaryOperator<JsonNode> offlineJudge) {
    this.out = out;
    this.err = err;
    this.env = env;
    this.in = in;
    this.terminal = in != null;
    this.offlineJudge = offlineJudge;
  }

  SluiceApi api() {
    if (api == null) {
      api = SluiceApi.from(url, env);
    }
    return api;
  }

  /** Whether {@code command} is one of the CLI's (so the launcher hands the arguments here). */
  public static boolean handles(String command) {
    return names().contains(command);
  }

  /** Runs {@code args} with the process's streams and environment, then exits with its code. */
  public static void main(String[] args) {
    main(args, null);
  }

  /**
   * As {@link #main(String[])}, with the judge {@code judge --offline} runs in this process.
   *
   * @param offlineJudge see {@link #offlineJudge}
   */
  public static void main(String[] args, UnaryOperator<JsonNode> offlineJudge) {
    PrintWriter out =
        new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
    PrintWriter err =
        new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
    BufferedReader in =
        System.console() == null
            ? null
            : new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    System.exit(run(args, in, out, err, System.getenv(), offlineJudge));
  }

  /**
   * Runs {@code args} off a terminal with {@code env} as its environment ({@code SLUICE_URL},
   * {@code SLUICE_TOKEN}); returns the exit code. For callers in the same JVM, such as the API's
   * tests driving the CLI against a running server.
   */
  public static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env) {
    return run(args, null, out, err, env, null);
  }

  /** Runs {@code args}, {@code in} the terminal's input or null; returns the exit code. */
  static int run(
      String[] args, BufferedReader in, PrintWriter out, PrintWriter err, Map<String, String> env) {
    return run(args, in, out, err, env, null);
  }

  static int run(
      String[] args,
      BufferedReader in,
      PrintWriter out,
      PrintWriter err,
      Map<String, String> env,
      UnaryOperator<JsonNode> offlineJudge) {
    SluiceCli root = new SluiceCli(out, err, env, in, offlineJudge);
    CommandLine cli = commandLine(root);
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(
        (e, line, parsed) -> {
          if (e instanceof SluiceApi.ApiException) {
            err.println("error: " + e.getMessage());
          } else {
            err.println("error: " + e);
          }
          err.flush();
          return Outcome.API_ERROR;
        });
    cli.setParameterExceptionHandler(
        (e, given) -> {
          err.println("error: " + e.getMessage());
          err.println("see: " + e.getCommandLine().getCommandSpec().qualifiedName() + " --help");
          err.flush();
          return Outcome.USAGE;
        });
    int code = cli.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  static CommandLine commandLine(SluiceCli root) {
    CommandLine cli = new CommandLine(root);
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    return cli;
  }

  @Command(
      name = "promote",
      description = "End the current pause or analysis (--full: skip every remaining step).")
  int promote(
      @Parameters(paramLabel = "ID") String id,
      @Option(names = "--full", description = "skip every remaining step") boolean full,
      @Option(names = "--reason", paramLabel = "TEXT") String reason) {
    ObjectNode body = ControlCommands.body(reason);
    if (full) {
      body.put("full", true);
    }
    return ControlCommands.send(this, id, "promote", body);
  }

  @Command(name = "abort", description = "Stop, and roll back what was upgraded.")
  int abort(
      @Parameters(paramLabel = "ID") String id,
      @Option(names = "--reason", paramLabel = "TEXT") String reason) {
    return ControlCommands.send(this, id, "abort", ControlCommands.body(reason));
  }

  @Command(name = "pause", description = "Pause before the next step.")
  int pause(
      @Parameters(paramLabel = "ID") String id,
      @Option(names = "--reason", paramLabel = "TEXT") String reason) {
    return ControlCommands.send(this, id, "pause", ControlCommands.body(reason));
  }

  @Command(name = "resume", description = "Resume a paused deployment.")
  int resume(@Parameters(paramLabel = "ID") String id) {
    return ControlCommands.send(this, id, "resume", ControlCommands.body(null));
  }

  @Command(
      name = "retry",
      description = "Retry a deployment that failed, rolled back or was aborted.")
  int retry(@Parameters(paramLabel = "ID") String id) {
    return ControlCommands.send(this, id, "retry", ControlCommands.body(null));
  }

  /**
   * The command tree with no streams or server behind it, for checking a command line without
   * running it ({@code commandTree().parseArgs(…)}; the documentation tests do).
   */
  public static CommandLine commandTree() {
    return commandLine(new SluiceCli(null, null, Map.of(), null, null));
  }

  private static Set<String> names() {
    return new HashSet<>(commandTree().getSubcommands().keySet());
  }

  /** {@code --version}: the jar's version. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = SluiceCli.class.getPackage().getImplementationVersion();
      return new String[] {"sluice " + (version == null ? "(development build)" : version)};
    }
  }
}
