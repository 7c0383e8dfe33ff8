package dev.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.api.SluiceApplication;
import dev.sluice.testkit.LocalStack;
import dev.sluice.testkit.SluiceClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * API fuzzing: schemathesis generates requests from the OpenAPI document the server serves and
 * sends them to a local stack (embedded Temporal, H2 ledger, HAProxy, sample-app fleet) with tokens
 * configured, seeded with a service, a canary waiting at a pause and a flag so that paths with ids
 * have real targets. Four phases:
 *
 * <ol>
 *   <li>{@code rejected}: requests that violate the schema (schemathesis' negative mode), with an
 *       admin token. Every one should be answered 4xx and change nothing: the ledger's rows and
 *       Temporal's executions are compared before and after each.
 *   <li>{@code forbidden}: valid mutations with a viewer token. Every one should be 403 and change
 *       nothing, compared the same way.
 *   <li>{@code accepted}: valid requests with an admin token; they may change state.
 *   <li>{@code rejected-again}: the first phase again, on the state the accepted requests left once
 *       it has settled.
 * </ol>
 *
 * <p>In every phase schemathesis checks that no answer is a 5xx and that status, content type and
 * body match the document. Prints {@code BENCH fuzz requests=… server_errors=… schema_violations=…
 * state_changes_from_rejected=…}; schemathesis' output and reports are kept in {@code
 * .sluice/fuzz-report/}.
 */
final class FuzzBench {

  static final int DEFAULT_REQUESTS = 10_000;

  private static final String CHECKS =
      "not_a_server_error,status_code_conformance,content_type_conformance,"
          + "response_schema_conformance,response_headers_conformance";

  /** The checks whose failures are counted as schema violations. */
  private static final List<String> SCHEMA_CHECKS =
      List.of(
          "status_code_conformance",
          "content_type_conformance",
          "response_schema_conformance",
          "response_headers_conformance");

  private final Path home;
  private final Path work;
  private final Path reports;
  private final Path schemathesis;
  private final ObjectMapper json = new ObjectMapper();
  private final String adminToken = UUID.randomUUID().toString();
  private final String viewerToken = UUID.randomUUID().toString();
  private final Map<String, Integer> violations = new TreeMap<>();

  private FuzzBench(Path home, Path work) {
    this.home = home;
    this.work = work;
    this.reports = home.resolve(".sluice/fuzz-report");
    this.schemathesis =
        Path.of(
            System.getProperty(
                "sluice.schemathesis", home.resolve(".sluice/tools/schemathesis").toString()));
  }

  /**
   * @param requests at least this many generated requests in all (the {@code accepted} phase is
   *     repeated with new seeds until they are reached)
   */
  static void run(PrintStream out, int requests) throws Exception {
    Path home = Path.of(System.getProperty("sluice.home", ".")).toAbsolutePath();
    Path work = Files.createTempDirectory(home.resolve(".sluice"), "bench-fuzz-");
    try {
      new FuzzBench(home, work).fuzz(out, requests);
    } finally {
      Bench.deleteRecursively(work);
    }
  }

  private void fuzz(PrintStream out, int wanted) throws Exception {
    Files.writeString(work.resolve("admin.token"), adminToken);
    Files.writeString(work.resolve("viewer.token"), viewerToken);
    String auth =
        """
        auth:
          tokens:
            - {name: fuzz-admin, role: admin, secretFile: %s}
            - {name: fuzz-viewer, role: viewer, secretFile: %s}
        """
            .formatted(work.resolve("admin.token"), work.resolve("viewer.token"));
    LocalStack.Options options =
        LocalStack.Options.defaults(work, home.resolve("sample-app/target/sample-app.jar"))
            .withServerConfig(auth);
    deleteRecursively(reports);
    Files.createDirectories(reports);
    long started = System.nanoTime();
    try (LocalStack stack = LocalStack.start(options, SluiceApplication::startServer);
        StateSnapshot.Reader state =
            new StateSnapshot.Reader(stack.ledgerUrl(), stack.temporalAddress(), "default");
        FuzzObserver observer = new FuzzObserver(state)) {
      URI api = URI.create("http://127.0.0.1:" + stack.apiPort());
      SluiceClient admin = new SluiceClient(api, "fuzz", adminToken);
      StateSnapshot empty = state.take();
      Seeds seeds = seed(stack, admin);
      requireSeen(empty.differences(state.take()));
      Path config = writeConfig(seeds);
      String schema = api.resolve("/api/openapi.json").toString();
      int perOperation = Math.max(10, wanted / 400);
      run(observer, config, schema, Phase.rejected(adminToken, perOperation));
      run(observer, config, schema, Phase.forbidden(viewerToken, perOperation));
      for (int round = 1; observer.requests() < wanted && round <= 5; round++) {
        run(observer, config, schema, Phase.accepted(adminToken, perOperation * 2, round));
      }
      // Again on the state the accepted requests left (deployments, flags, releases, tokens), once
      // what they started has settled.
      awaitQuiet(state);
      run(observer, config, schema, Phase.rejectedAgain(adminToken, perOperation));
      List<FuzzObserver.Finding> changes = observer.stateChanges();
      System.err.printf(
          Locale.ROOT,
          "fuzz: %d requests in %.0f s, statuses %s; %d rejected, %d compared before and after"
              + " (%s); schema violations by check %s%n",
          observer.requests(),
          (System.nanoTime() - started) / 1e9,
          observer.statuses(),
          observer.rejected(),
          observer.checked(),
          observer.snapshotCost(),
          violations);
      writeFindings(observer);
      out.printf(
          Locale.ROOT,
          "BENCH fuzz requests=%d server_errors=%d schema_violations=%d"
              + " state_changes_from_rejected=%d%n",
          observer.requests(),
          observer.serverErrors().size(),
          violations.values().stream().mapToInt(Integer::intValue).sum(),
          changes.size());
    }
  }

  /** What the ids in paths should often be: the seeded service, deployment and flag. */
  private record Seeds(String service, String deployment, String flag) {}

  private Seeds seed(LocalStack stack, SluiceClient admin) {
    admin.put("/api/v1/services/" + LocalStack.SERVICE, stack.serviceDefinition()).expect(201);
    String deployment =
        admin.startCanary(
            LocalStack.SERVICE,
            "2.0.0",
            List.of(Map.of("setWeight", 25), Map.of("pause", Map.of())));
    admin.awaitDeployment(
        deployment, Duration.ofMinutes(2), d -> d.path("phase").asText().equals("WAITING"));
    admin
        .post(
            "/api/v1/flags",
            Map.of(
                "key", "new-checkout",
                "type", "release",
                "owner", "team-checkout",
                "reason", "fuzz seed",
                "definition",
                    Map.of(
                        "state", "ENABLED",
                        "variants", Map.of("on", true, "off", false),
                        "defaultVariant", "off")))
        .expect(201);
    return new Seeds(LocalStack.SERVICE, deployment, "new-checkout");
  }

  /** Returns once two snapshots two seconds apart are equal, or after two minutes. */
  private static void awaitQuiet(StateSnapshot.Reader state)
      throws SQLException, InterruptedException {
    StateSnapshot last = state.take();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (System.nanoTime() < deadline) {
      // Deployments the accepted requests started finish on their own; nothing to wait on but
      // the state itself.
      TimeUnit.SECONDS.sleep(2);
      StateSnapshot now = state.take();
      if (last.differences(now).isEmpty()) {
        return;
      }
      last = now;
    }
    System.err.println("fuzz: ledger or Temporal still changing after 2 minutes");
  }

  /**
   * The comparison must see what seeding changed, in the ledger (a service, a deployment, a flag)
   * and in Temporal (the canary's workflow): else a zero {@code state_changes_from_rejected} would
   * mean nothing.
   */
  private static void requireSeen(List<String> seeded) {
    boolean ledger = seeded.stream().anyMatch(d -> !d.startsWith("workflow "));
    boolean temporal = seeded.stream().anyMatch(d -> d.startsWith("workflow "));
    if (!ledger || !temporal) {
      throw new IllegalStateException(
          "comparing snapshots does not see the seeded service, canary and flag: " + seeded);
    }
    System.err.println("fuzz: seeding changed " + seeded.size() + " rows and workflows, all seen");
  }

  /**
   * schemathesis' configuration: path parameters take the seeded ids half the time (so requests
   * reach real resources), generated values otherwise.
   */
  private Path writeConfig(Seeds seeds) throws IOException {
    String toml =
        """
        [dictionaries.ids]
        values = ["%s"]
        [dictionaries.names]
        values = ["%s", "fuzz-viewer"]
        [dictionaries.keys]
        values = ["%s"]

        [parameters]
        "path.id" = { dictionary = "ids", probability = 0.5 }
        "path.name" = { dictionary = "names", probability = 0.5 }
        "path.key" = { dictionary = "keys", probability = 0.5 }
        """
            .formatted(seeds.deployment(), seeds.service(), seeds.flag());
    Path file = work.resolve("schemathesis.toml");
    Files.writeString(file, toml);
    return file;
  }

  /**
   * One schemathesis run.
   *
   * @param mode schemathesis' generation mode: {@code negative} for requests that violate the
   *     schema, {@code positive} for valid ones
   * @param compareState whether the observer compares ledger and Temporal around each call (then
   *     one worker, so that each comparison brackets one request)
   * @param extra more schemathesis options, e.g. which operations
   */
  private record Phase(
      String name,
      String token,
      String mode,
      int maxExamples,
      int seed,
      boolean compareState,
      List<String> extra) {

    static Phase rejected(String adminToken, int maxExamples) {
      return new Phase("rejected", adminToken, "negative", maxExamples, 1, true, List.of());
    }

    static Phase rejectedAgain(String adminToken, int maxExamples) {
      return new Phase("rejected-again", adminToken, "negative", maxExamples, 99, true, List.of());
    }

    static Phase forbidden(String viewerToken, int maxExamples) {
      return new Phase(
          "forbidden",
          viewerToken,
          "positive",
          maxExamples,
          2,
          true,
          List.of("--include-method-regex", "POST|PUT|DELETE"));
    }

    /** Repeated with a new seed each round until enough requests were sent. */
    static Phase accepted(String adminToken, int maxExamples, int round) {
      return new Phase(
          "accepted-" + round, adminToken, "positive", maxExamples, 2 + round, false, List.of());
    }
  }

  private void run(FuzzObserver observer, Path config, String schema, Phase phase)
      throws IOException, InterruptedException {
    observer.phase(phase.name(), phase.compareState());
    String name = phase.name();
    Path ndjson = reports.resolve(name + ".ndjson");
    List<String> command =
        new ArrayList<>(
            List.of(
                "python3",
                "-m",
                "schemathesis.cli",
                "--config-file",
                config.toString(),
                "--no-color",
                "run",
                schema,
                "--header",
                "Authorization: Bearer " + phase.token(),
                "--mode",
                phase.mode(),
                "--max-examples",
                Integer.toString(phase.maxExamples()),
                "--seed",
                Integer.toString(phase.seed()),
                "--workers",
                phase.compareState() ? "1" : "2",
                "--phases",
                "examples,coverage,fuzzing",
                "--checks",
                CHECKS,
                "--suppress-health-check",
                "all",
                "--request-timeout",
                "30",
                "--generation-database",
                "none",
                "--report",
                "ndjson",
                "--report-ndjson-path",
                ndjson.toString()));
    command.addAll(phase.extra());
    ProcessBuilder builder =
        new ProcessBuilder(command)
            // schemathesis keeps a cache in its working directory: the run's, deleted after.
            .directory(work.toFile())
            .redirectErrorStream(true)
            .redirectOutput(reports.resolve(name + ".log").toFile());
    Map<String, String> env = builder.environment();
    env.put(
        "PYTHONPATH", schemathesis + ":" + home.resolve("bench/src/main/python").toAbsolutePath());
    env.put("SCHEMATHESIS_HOOKS", "sluice_fuzz_hooks");
    env.put("SLUICE_FUZZ_OBSERVER", observer.address());
    int before = observer.requests();
    long started = System.nanoTime();
    Process process = builder.start();
    try {
      if (!process.waitFor(15, TimeUnit.MINUTES)) {
        throw new IllegalStateException("schemathesis phase " + name + " ran over 15 minutes");
      }
    } finally {
      process.destroyForcibly();
    }
    Map<String, Integer> found = countViolations(ndjson);
    found.forEach((check, n) -> violations.merge(check, n, Integer::sum));
    System.err.printf(
        Locale.ROOT,
        "fuzz %s: %d requests in %.0f s (schemathesis exit %d), schema violations %s%n",
        name,
        observer.requests() - before,
        (System.nanoTime() - started) / 1e9,
        process.exitValue(),
        found);
  }

  /**
   * Responses that failed a schema check, from schemathesis' event stream: each scenario's recorder
   * holds, per generated case, the checks run on its response. Counted once per response, under the
   * first check it failed.
   */
  private Map<String, Integer> countViolations(Path ndjson) throws IOException {
    Map<String, Integer> out = new TreeMap<>();
    if (!Files.exists(ndjson)) {
      return out;
    }
    try (BufferedReader lines = Files.newBufferedReader(ndjson)) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        JsonNode checks = line.isBlank() ? null : json.readTree(line).path("ScenarioFinished");
        if (checks == null || checks.isMissingNode()) {
          continue;
        }
        for (JsonNode perCase : checks.path("recorder").path("checks")) {
          for (JsonNode check : perCase) {
            String name = check.path("name").asText();
            if (SCHEMA_CHECKS.contains(name) && check.path("status").asText().equals("failure")) {
              out.merge(name, 1, Integer::sum);
              break;
            }
          }
        }
      }
    }
    return out;
  }

  private void writeFindings(FuzzObserver observer) throws IOException {
    List<String> lines = new ArrayList<>();
    observer.serverErrors().forEach(f -> lines.add("5xx " + f));
    observer.stateChanges().forEach(f -> lines.add("state-change " + f));
    Files.write(reports.resolve("findings.txt"), lines);
    Path log = work.resolve("sluice.log");
    if (Files.exists(log)) {
      Files.copy(log, reports.resolve("sluice.log"), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (Files.exists(dir)) {
      Bench.deleteRecursively(dir);
    }
  }
}
