package dev.sluice.activities.deploy.localprocess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The deployer's audit trail, {@code <workDir>/deployer.log}: one line per action,
 *
 * <pre>
 * 2026-11-26T12:00:00.123Z action=deploy target=t1 version=2.0.0 requestId=dep-1/t1/upgrade outcome=started pid=1234
 * 2026-11-26T12:00:03.456Z action=stop target=t1 version=2.0.0 outcome=stopped pid=1234 reason=redeploy
 * </pre>
 *
 * A timestamp, then {@code key=value} pairs separated by single spaces; values never contain spaces
 * (they are replaced by {@code _}), so the file can be counted with grep. Each line is appended
 * with a single write to a file opened for append, which the OS keeps whole even when several
 * workers share the work directory.
 */
final class DeployerLog {

  static final String FILE = "deployer.log";

  private final Path file;

  DeployerLog(Path workDir) {
    this.file = workDir.resolve(FILE);
  }

  /** Starts a line; {@link Line#write()} appends it. */
  Line line(String action) {
    return new Line(action);
  }

  /** One line under construction; keys keep the order they are added in. */
  final class Line {
    private final Map<String, String> fields = new LinkedHashMap<>();

    private Line(String action) {
      fields.put("action", action);
    }

    Line with(String key, Object value) {
      if (value != null) {
        fields.put(key, value.toString().replaceAll("\\s", "_"));
      }
      return this;
    }

    void write() {
      StringBuilder text =
          new StringBuilder(Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
      fields.forEach((key, value) -> text.append(' ').append(key).append('=').append(value));
      text.append('\n');
      try {
        Files.createDirectories(file.getParent());
        Files.write(
            file,
            text.toString().getBytes(StandardCharsets.UTF_8),
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot append to " + file, e);
      }
    }
  }
}
