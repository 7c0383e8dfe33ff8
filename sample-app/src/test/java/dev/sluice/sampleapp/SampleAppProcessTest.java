package dev.sluice.sampleapp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The app as an OS process, the way the local-process deployer runs it. */
class SampleAppProcessTest {

  private static final Pattern READY = Pattern.compile("sample-app (\\S+) listening on (\\d+)");

  private final List<Process> processes = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @AfterEach
  void killLeftovers() throws Exception {
    for (Process process : processes) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private Process launch(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(SampleApp.class.getName());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).start();
    processes.add(process);
    return process;
  }

  private static String readLine(BufferedReader reader) throws Exception {
    return CompletableFuture.supplyAsync(
            () -> {
              try {
                return reader.readLine();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            })
        .get(20, TimeUnit.SECONDS);
  }

  private void awaitInFlight(URI base, int count) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    String gauge = "http_requests_in_flight " + count;
    while (!http.send(
            HttpRequest.newBuilder(base.resolve("/metrics")).build(),
            HttpResponse.BodyHandlers.ofString())
        .body()
        .contains(gauge + "\n")) {
      assertThat(System.nanoTime()).as("deadline for '%s'", gauge).isLessThan(deadline);
      LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
    }
  }

  @Test
  void sigtermDrainsInFlightRequestsAndExitsZero() throws Exception {
    Process process = launch("--port", "0", "--version", "2.0.0", "--target", "t9");
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    Matcher ready = READY.matcher(readLine(out));
    assertThat(ready.matches()).isTrue();
    assertThat(ready.group(1)).isEqualTo("2.0.0");
    URI base = URI.create("http://127.0.0.1:" + ready.group(2));

    CompletableFuture<HttpResponse<String>> slow =
        http.sendAsync(
            HttpRequest.newBuilder(base.resolve("/?delayMs=1500")).build(),
            HttpResponse.BodyHandlers.ofString());
    awaitInFlight(base, 2); // the slow request and the scrape asking
    // Through the handle: Process.destroy() would also close our end of its stdout.
    process.toHandle().destroy(); // SIGTERM

    assertThat(slow.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isZero();
    assertThat(readLine(out)).isEqualTo("sample-app 2.0.0 stopped");
  }

  @Test
  void portInUseExitsWithStatusOneAndSaysWhy() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Process process =
          launch("--port", Integer.toString(taken.getLocalPort()), "--version", "2.0.0");

      assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).isEqualTo(1);
      assertThat(new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
          .contains("cannot listen on port " + taken.getLocalPort());
    }
  }

  @Test
  void badCommandLineExitsWithStatusTwoAndUsage() throws Exception {
    Process process = launch("--version", "2.0.0");

    assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
        .contains("--port and --version are required")
        .contains("usage:");
  }
}
