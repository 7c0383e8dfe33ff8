package dev.sluice.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.api.SluiceApplication;
import dev.sluice.testkit.LoadGenerator;
import dev.sluice.testkit.LocalStack;
import dev.sluice.testkit.SluiceClient;
import io.dropwizard.core.cli.Command;
import io.dropwizard.core.setup.Bootstrap;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

/**
 * {@code sluice demo}: the whole stack on this machine (Temporal's dev server, H2, API and worker,
 * a fleet of sample-app v1 behind HAProxy, a load generator through HAProxy), then a rolling
 * deployment of v2 with progress as it goes, then a bad v3 that fails its health check and is
 * rolled back, and a summary. Stops every process it started, also on Ctrl-C.
 */
public class DemoCommand extends Command {

  /** Events already printed, per deployment, across the demo's waits. */
  private static final Map<String, Set<Integer>> SEEN = new ConcurrentHashMap<>();

  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

  /** The Temporal UI of this demo's dev server, where each deployment's workflow can be watched. */
  private String temporalUi;

  public DemoCommand() {
    super(
        "demo",
        "Runs Sluice locally: rolls v2 out under load, a bad v3 that is rolled back, then a canary"
            + " promoted by hand and one aborted");
  }

  @Override
  public void configure(Subparser subparser) {
    subparser
        .addArgument("--work-dir")
        .setDefault(".sluice/demo")
        .help("where the demo keeps its fleet, HAProxy and ledger files");
    subparser
        .addArgument("--sample-app-jar")
        .setDefault("sample-app/target/sample-app.jar")
        .help("the sample-app jar the fleet runs");
    subparser.addArgument("--rps").type(Integer.class).setDefault(100).help("load, requests/s");
  }

  @Override
  public void run(Bootstrap<?> bootstrap, Namespace namespace) throws Exception {
    PrintStream out = System.out;
    Path workDir = Path.of(namespace.getString("work_dir")).toAbsolutePath();
    Path jar = Path.of(namespace.getString("sample_app_jar")).toAbsolutePath();
    int rps = namespace.getInt("rps");

    say(
        out,
        "Starting Sluice (Temporal's dev server, H2 ledger, API + worker), 4 sample-app 1.0.0"
            + " instances and HAProxy …");
    // Each demo starts from an empty ledger and history, so its summary tells only this run's
    // story.
    for (String file :
        List.of(
            "ledger.mv.db",
            "ledger.trace.db",
            "temporal.db",
            "temporal.db-shm",
            "temporal.db-wal")) {
      Files.deleteIfExists(workDir.resolve(file));
    }
    LocalStack stack =
        LocalStack.start(
            LocalStack.Options.defaults(workDir, jar).withDurableTemporal(),
            SluiceApplication::startServer);
    temporalUi = stack.temporalUi();
    AtomicBoolean closed = new AtomicBoolean();
    Thread cleanup =
        new Thread(
            () -> {
              if (closed.compareAndSet(false, true)) {
                stack.close();
              }
            },
            "demo-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      run(stack, rps, out);
    } finally {
      if (closed.compareAndSet(false, true)) {
        stack.close();
      }
      Runtime.getRuntime().removeShutdownHook(cleanup);
      say(out, "Stopped everything the demo started.");
    }
  }

  private void run(LocalStack stack, int rps, PrintStream out) {
    SluiceClient api = stack.client();
    say(
        out,
        "Sluice API on http://127.0.0.1:"
            + stack.apiPort()
            + "/api/v1, logs in "
            + stack.workDir().resolve("sluice.log"));
    say(
        out,
        "Dashboard on http://127.0.0.1:"
            + stack.apiPort()
            + "/ (each deployment at /#/deployments/ID: weights, analysis charts, controls)");
    say(
        out,
        "CLI: export SLUICE_URL=http://127.0.0.1:"
            + stack.apiPort()
            + "; ./sluice list; ./sluice get deployment ID --watch (docs/cli.md)");
    say(
        out,
        "HAProxy on "
            + stack.haproxy().frontendUrl()
            + ", stats on http://127.0.0.1:"
            + stack.haproxy().statsPort()
            + "/");
    say(
        out,
        "Temporal UI on "
            + temporalUi
            + " (history in "
            + stack.workDir().resolve("temporal.db")
            + ")");
    api.put("/api/v1/services/" + LocalStack.SERVICE, stack.serviceDefinition()).expect(200, 201);
    say(out, "Service '" + LocalStack.SERVICE + "': " + stack.versions());

    try (LoadGenerator load = new LoadGenerator(stack.frontend(), rps).start()) {
      say(out, "Load generator: " + rps + " requests/s through HAProxy");

      say(out, "");
      say(out, "== Rolling out 2.0.0 (batches of 25%, drain → deploy → health → enable) ==");
      JsonNode v2 = deploy(api, Map.of("service", LocalStack.SERVICE, "version", "2.0.0"), out);
      say(
          out,
          "2.0.0: "
              + v2.path("state").asText()
              + " · fleet "
              + stack.versions()
              + " · load so far: "
              + brief(load.snapshot()));

      say(out, "");
      say(out, "== Rolling out 3.0.0, a bad build whose health check fails ==");
      JsonNode v3 =
          deploy(
              api,
              Map.of(
                  "service",
                  LocalStack.SERVICE,
                  "version",
                  "3.0.0",
                  "overrides",
                  Map.of("rollbackOnFailure", true)),
              out);
      say(out, "3.0.0: " + v3.path("state").asText() + " — " + v3.path("reason").asText());

      say(out, "");
      say(
          out,
          "== Canary 2.1.0: 25% of traffic, a 16 s analysis by the judge, then a manual promote ==");
      String canary =
          start(
              api,
              Map.of(
                  "service",
                  LocalStack.SERVICE,
                  "version",
                  "2.1.0",
                  "strategy",
                  "canary",
                  "canary",
                  Map.of(
                      "steps",
                      List.of(
                          Map.of("setWeight", 25),
                          Map.of("analysis", Map.of("duration", "16s", "interval", "2s")),
                          Map.of("pause", Map.of())))),
              out);
      follow(
          api,
          canary,
          out,
          d ->
              d.path("phase").asText().equals("WAITING")
                  && d.path("batch").path("current").asInt() == 3);
      say(out, "The canary waits for a person: POST /api/v1/deployments/" + canary + "/promote");
      api.post(
              "/api/v1/deployments/" + canary + "/promote",
              Map.of("reason", "dashboards look good"))
          .expect(202);
      JsonNode promoted = follow(api, canary, out, DemoCommand::ended);
      say(out, "2.1.0: " + promoted.path("state").asText() + " · fleet " + stack.versions());

      say(out, "");
      say(out, "== Canary 2.2.0: 50% of traffic, then aborted by hand ==");
      String aborted =
          start(
              api,
              Map.of(
                  "service",
                  LocalStack.SERVICE,
                  "version",
                  "2.2.0",
                  "strategy",
                  "canary",
                  "canary",
                  Map.of("steps", List.of(Map.of("setWeight", 50), Map.of("pause", Map.of())))),
              out);
      follow(api, aborted, out, d -> d.path("phase").asText().equals("WAITING"));
      say(out, "Aborting: POST /api/v1/deployments/" + aborted + "/abort");
      api.post("/api/v1/deployments/" + aborted + "/abort", Map.of("reason", "not today"))
          .expect(202);
      JsonNode abortedView = follow(api, aborted, out, DemoCommand::ended);
      say(out, "2.2.0: " + abortedView.path("state").asText() + " · fleet " + stack.versions());

      LoadGenerator.Report report = load.stop();
      JsonNode history =
          api.get("/api/v1/services/" + LocalStack.SERVICE + "/history").expect(200).body();
      say(out, "");
      say(out, "== Summary ==");
      say(
          out,
          String.format(
              "requests sent %d, failed %d (%.0f/s over %.0f s, p99 %.1f ms)",
              report.sent(), report.failed(), report.rate(), report.seconds(), report.p99Millis()));
      say(out, "answered by version: " + report.byVersion());
      report.failures().forEach(f -> say(out, "  failure: " + f));
      say(out, "versions per target: " + stack.versions());
      say(
          out,
          "running now: "
              + history.path("current").asText()
              + ", running before it: "
              + history.path("previous").asText());
      for (JsonNode entry : history.path("versions")) {
        say(
            out,
            "  "
                + entry.path("version").asText()
                + " → "
                + entry.path("outcome").asText()
                + " ("
                + entry.path("deploymentId").asText()
                + ")");
      }
    }
  }

  private JsonNode deploy(SluiceClient api, Map<String, Object> body, PrintStream out) {
    return follow(api, start(api, body, out), out, DemoCommand::ended);
  }

  private String start(SluiceClient api, Map<String, Object> body, PrintStream out) {
    JsonNode created = api.post("/api/v1/deployments", body).expect(202).body();
    String id = created.path("id").asText();
    say(out, "deployment " + id + " accepted; GET " + created.path("links").path("self").asText());
    say(out, "  its workflow: " + temporalUi + "/namespaces/default/workflows/" + id);
    return id;
  }

  /** Prints the deployment's new events until {@code until} holds. */
  private static JsonNode follow(
      SluiceClient api, String id, PrintStream out, Predicate<JsonNode> until) {
    Set<Integer> seen = SEEN.computeIfAbsent(id, k -> new HashSet<>());
    return api.awaitDeployment(
        id,
        Duration.ofMinutes(5),
        view -> {
          for (JsonNode event : view.path("events")) {
            if (seen.add(event.path("seq").asInt())) {
              say(out, "  " + event.path("message").asText());
            }
          }
          return until.test(view);
        });
  }

  private static boolean ended(JsonNode view) {
    return Set.of("SUCCEEDED", "FAILED", "ROLLED_BACK", "ABORTED")
        .contains(view.path("state").asText());
  }

  private static String brief(LoadGenerator.Report r) {
    return r.sent() + " sent, " + r.failed() + " failed";
  }

  private static void say(PrintStream out, String line) {
    out.println(line.isEmpty() ? "" : LocalTime.now().format(CLOCK) + "  " + line);
    out.flush();
  }
}
