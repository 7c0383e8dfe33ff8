package dev.sluice.activities.aws;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real moto in server mode (PyPI {@code moto[server]}, installed by {@code scripts/install-tools}
 * into {@code .sluice/tools/moto}) on a free loopback port, run as a child process through {@code
 * scripts/moto-server}, which also answers the CBOR protocol the SDK speaks to CloudWatch and moto
 * does not: one endpoint for every AWS API moto emulates (ELBv2, EC2, CloudWatch, SSM…), reached
 * through the SDK clients' endpoint override with any credentials. {@link #reset()} forgets every
 * resource; {@link #close()} stops the server. Used by the AWS adapters' tests.
 */
public final class MotoServer implements AutoCloseable {

  /** Where {@code scripts/install-tools} puts moto, relative to the project's root. */
  public static final String LOCAL_INSTALL = ".sluice/tools/moto";

  /** moto's server behind a translation of the CBOR protocol, relative to the project's root. */
  public static final String SCRIPT = "scripts/moto-server";

  /** The region the tests' resources live in (moto keeps each region apart). */
  public static final String REGION = "eu-west-1";

  /**
   * The secret key the SDK's default chain finds: random, so a scan for it in histories, the ledger
   * and logs cannot match by chance.
   */
  public static final String SECRET_ACCESS_KEY = "moto-secret-" + UUID.randomUUID();

  private final Path dir;
  private final int port;
  private Process process;

  private MotoServer(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  /**
   * Starts moto on a free loopback port, its log in {@code dir/moto.log}, and waits until it
   * answers; sets the SDK's default-chain credentials (system properties) to dummy ones moto takes.
   *
   * @throws IllegalStateException when moto is not installed (saying how to install it) or does not
   *     come up within 30 seconds
   */
  public static MotoServer start(Path dir) throws IOException, InterruptedException {
    // moto takes any credentials; the adapters under test find them through the SDK's default
    // chain, as they do outside tests.
    System.setProperty("aws.accessKeyId", "testing");
    System.setProperty("aws.secretAccessKey", SECRET_ACCESS_KEY);
    Path home = Path.of(System.getProperty("sluice.home", "..")).toAbsolutePath().normalize();
    Path install = home.resolve(LOCAL_INSTALL);
    Path script = home.resolve(SCRIPT);
    if (!Files.isDirectory(install.resolve("moto"))
        || !Files.isDirectory(install.resolve("cbor2"))) {
      throw new IllegalStateException(
          "moto is missing at "
              + install
              + ": run scripts/install-tools (it runs pip install --target "
              + LOCAL_INSTALL
              + " 'moto[server]' cbor2)");
    }
    Files.createDirectories(dir);
    MotoServer moto = new MotoServer(dir.toAbsolutePath(), freePort());
    moto.launch(install, script);
    return moto;
  }

  private void launch(Path install, Path script) throws IOException, InterruptedException {
    // pip --target installs the packages but no interpreter: python3 (the one that ran pip)
    // finds them through PYTHONPATH.
    ProcessBuilder builder =
        new ProcessBuilder(
                "python3", script.toString(), "-H", "127.0.0.1", "-p", Integer.toString(port))
            .redirectErrorStream(true)
            .redirectOutput(log().toFile());
    String pythonPath = System.getenv("PYTHONPATH");
    builder
        .environment()
        .put(
            "PYTHONPATH",
            pythonPath == null || pythonPath.isBlank()
                ? install.toString()
                : install + ":" + pythonPath);
    process = builder.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!answers()) {
      if (!process.isAlive()) {
        throw new IllegalStateException("moto exited at once: " + Files.readString(log(), UTF_8));
      }
      if (System.nanoTime() > deadline) {
        close();
        throw new IllegalStateException(
            "moto does not answer on port " + port + ": " + Files.readString(log(), UTF_8));
      }
      // Nothing to wait on but the port.
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  private boolean answers() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
    } catch (IOException e) {
      return false;
    }
    try {
      return moto("GET", "/moto-api/data.json") == 200;
    } catch (IOException e) {
      return false;
    }
  }

  /** Forgets every resource in every region (moto's {@code /moto-api/reset}). */
  public void reset() {
    try {
      int status = moto("POST", "/moto-api/reset");
      if (status != 200) {
        throw new IllegalStateException("moto reset answered " + status);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private int moto(String method, String path) throws IOException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest request =
        HttpRequest.newBuilder(endpoint().resolve(path))
            .timeout(Duration.ofSeconds(10))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build();
    try {
      return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** The endpoint for every SDK client, {@code http://127.0.0.1:<port>}. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  public int port() {
    return port;
  }

  /** moto's log: one line per request it served. */
  public Path log() {
    return dir.resolve("moto.log");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() {
    if (process != null) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroy();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
