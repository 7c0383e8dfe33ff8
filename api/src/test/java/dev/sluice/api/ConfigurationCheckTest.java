package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.cli.SluiceCheckCommand;
import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.util.JarLocation;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice check} on the shipped configuration, as a person would run it. */
class ConfigurationCheckTest {

  private static final Path SHIPPED =
      Path.of(System.getProperty("sluice.home", ".."), "config", "sluice.yml");

  /** Output of {@code check FILE}, run through Dropwizard's command line. */
  private record Checked(Optional<Throwable> failure, String out, String err) {}

  private static Checked check(Path file) {
    SluiceApplication app = new SluiceApplication();
    Bootstrap<SluiceConfiguration> bootstrap = new Bootstrap<>(app);
    // As Application.run does: the default commands, then the application's.
    bootstrap.addCommand(new SluiceCheckCommand(app));
    app.initialize(bootstrap);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Cli cli = new Cli(new JarLocation(SluiceApplication.class), bootstrap, out, err);
    Optional<Throwable> failure = cli.run("check", file.toString());
    return new Checked(
        failure, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static Path withBackend(Path dir, String backend) throws IOException {
    String shipped = Files.readString(SHIPPED);
    String changed =
        shipped.replaceFirst(
            "backend: \\$\\{SLUICE_TEMPORAL_BACKEND:-\\w+}", "backend: " + backend);
    assertThat(changed).as("config/sluice.yml names the backend as expected").isNotEqualTo(shipped);
    return Files.writeString(dir.resolve("sluice.yml"), changed);
  }

  @Test
  void theShippedConfigurationIsValid() {
    Checked checked = check(SHIPPED);
    assertThat(checked.failure()).isEmpty();
    assertThat(checked.err()).isEmpty();
  }

  @Test
  void anUnknownBackendIsRefusedListingTheValidOnes(@TempDir Path dir) throws IOException {
    Checked checked = check(withBackend(dir, "bogus"));
    assertThat(checked.failure()).isPresent();
    assertThat(checked.err())
        .contains("temporal.backend")
        .contains("\"bogus\"")
        .contains("embedded, dev, remote");
  }

  @Test
  void everyValidBackendIsAccepted(@TempDir Path dir) throws IOException {
    for (String backend : new String[] {"embedded", "dev", "remote"}) {
      Checked checked = check(withBackend(dir, backend));
      assertThat(checked.failure()).as(backend).isEmpty();
    }
  }

  @Test
  void aPublicUrlThatIsNotAnHttpUrlIsRefusedAndAnHttpsOneAccepted(@TempDir Path dir)
      throws IOException {
    String shipped = Files.readString(SHIPPED);

    Checked bare =
        check(
            Files.writeString(
                dir.resolve("bare.yml"), shipped + "\npublicUrl: sluice.example.com\n"));
    assertThat(bare.failure()).isPresent();
    assertThat(bare.err()).contains("publicUrl").contains("must be an http(s) URL");

    Checked https =
        check(
            Files.writeString(
                dir.resolve("https.yml"),
                shipped + "\npublicUrl: https://sluice.example.com/ops\n"));
    assertThat(https.failure()).isEmpty();
  }

  @Test
  void anEncryptionKeyOfTheWrongLengthIsReportedByItsIdAndAGoodOneAccepted(@TempDir Path dir)
      throws IOException {
    String shipped = Files.readString(SHIPPED);
    Path shortKey = Files.writeString(dir.resolve("k1.key"), "c2hvcnQ=\n");
    Path goodKey =
        Files.writeString(dir.resolve("k2.key"), "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\n");
    String encryption =
        "  encryption:\n"
            + "    encryptWith: k2\n"
            + "    keys:\n"
            + "      - {id: k2, file: "
            + goodKey
            + "}\n"
            + "      - {id: k1, file: "
            + shortKey
            + "}\n";

    Checked bad =
        check(
            Files.writeString(
                dir.resolve("bad.yml"),
                shipped.replace("  taskQueue: sluice\n", "  taskQueue: sluice\n" + encryption)));
    Checked good =
        check(
            Files.writeString(
                dir.resolve("good.yml"),
                shipped.replace(
                    "  taskQueue: sluice\n",
                    "  taskQueue: sluice\n"
                        + encryption.replace(shortKey.toString(), goodKey.toString()))));

    assertThat(bad.failure()).isPresent();
    assertThat(bad.err())
        .contains("temporal.encryption")
        .contains("key k1")
        .contains("holds 5 bytes; a key is 32")
        .doesNotContain("c2hvcnQ=");
    assertThat(good.failure()).as(good.err()).isEmpty();
  }
}
