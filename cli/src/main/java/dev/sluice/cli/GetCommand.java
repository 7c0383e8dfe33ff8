package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code sluice get deployment ID [--watch]} and {@code sluice get service NAME}. */
@Command(
    name = "get",
    description = "Show one deployment or service.",
    subcommands = {GetCommand.Deployment.class, GetCommand.Service.class})
final class GetCommand {

  @ParentCommand SluiceCli root;

  @Command(
      name = "deployment",
      description = {
        "Show a deployment: state, phase, weights, versions, targets, what it waits for, events.",
        "--watch redraws it in place until it ends (on a terminal; log lines otherwise) and exits"
            + " 0 when it succeeded, 2 when it rolled back, failed or was aborted."
      })
  static final class Deployment implements Callable<Integer> {

    @ParentCommand GetCommand get;

    @Parameters(paramLabel = "ID")
    String id;

    @Option(
        names = {"-w", "--watch"},
        description = "follow it until it ends")
    boolean watch;

    @Option(
        names = "--limit",
        defaultValue = "20",
        paramLabel = "N",
        description = "targets listed (the rest are counted by state; default 20)")
    int limit;

    @Option(
        names = "--interval",
        converter = DurationConverter.class,
        defaultValue = "2s",
        paramLabel = "DURATION",
        description = "with --watch: how often to ask (default 2s)")
    Duration interval;

    @Override
    public Integer call() {
      SluiceCli root = get.root;
      SluiceApi api = root.api();
      if (!watch) {
        JsonNode view = api.get("/api/v1/deployments/" + SluiceApi.segment(id));
        root.output.print(
            root.out,
            view,
            v -> DeploymentScreen.render(v, analysis(api, v), limit, Clock.systemUTC().instant()));
        return 0;
      }
      Consumer<JsonNode> show;
      if (root.output != OutputFormat.table) {
        show = view -> root.output.print(root.out, view, v -> List.of());
      } else if (root.terminal) {
        show = new Screen(root, api, limit);
      } else {
        show = new ProgressLog(root.out);
      }
      Outcome outcome = Follow.deployment(api, id, interval, null, false, show);
      return Outcomes.report(root.err, id, outcome, false);
    }
  }

  /**
   * The deployment's analysis when it has one (canary, blue-green); null otherwise, or when the
   * server cannot say: the screen then goes without it.
   */
  static JsonNode analysis(SluiceApi api, JsonNode view) {
    if (!DeploymentScreen.analysed(view)) {
      return null;
    }
    try {
      return api.get(view.path("links").path("analysis").asText());
    } catch (SluiceApi.ApiException e) {
      return null;
    }
  }

  /** Redraws one screen in place: cursor home, the lines, clear to the end. */
  private static final class Screen implements Consumer<JsonNode> {
    private final SluiceCli root;
    private final SluiceApi api;
    private final int limit;
    private final int width;
    private boolean cleared;

    Screen(SluiceCli root, SluiceApi api, int limit) {
      this.root = root;
      this.api = api;
      this.limit = limit;
      this.width = TerminalWidth.of(root.env);
    }

    @Override
    public void accept(JsonNode view) {
      StringBuilder frame = new StringBuilder(cleared ? "\033[H" : "\033[2J\033[H");
      cleared = true;
      JsonNode analysis = analysis(api, view);
      for (String line :
          DeploymentScreen.render(view, analysis, limit, Clock.systemUTC().instant())) {
        // One screen: a line wider than the terminal is cut, never wrapped.
        frame.append(TerminalWidth.cut(line, width)).append("\033[K\n");
      }
      frame.append("\033[J");
      root.out.print(frame);
      root.out.flush();
    }
  }

  @Command(name = "service", description = "Show a service's definition.")
  static final class Service implements Callable<Integer> {

    @ParentCommand GetCommand get;

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      SluiceCli root = get.root;
      JsonNode view = root.api().get("/api/v1/services/" + SluiceApi.segment(name));
      OutputFormat format = root.output == OutputFormat.table ? OutputFormat.yaml : root.output;
      format.print(root.out, view.path("definition"), v -> List.of());
      return 0;
    }
  }
}
