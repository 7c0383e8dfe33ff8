package dev.sluice.activities.deploy.localprocess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The instances the {@code local-process} deployer has recorded under one work directory, seen as a
 * whole: for tests and the demo's cleanup, which must not leave processes behind.
 */
public final class LocalFleet {

  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration LOCK_TIMEOUT = Duration.ofSeconds(60);

  private LocalFleet() {}

  /** The recorded instances under {@code workDir}, by target id; empty when there is none. */
  public static List<InstanceState> instances(Path workDir) {
    List<InstanceState> found = new ArrayList<>();
    for (Path dir : instanceDirs(workDir)) {
      InstanceState.read(dir).ifPresent(found::add);
    }
    return found;
  }

  /** Whether the process {@code state} records is alive and still the instance it started. */
  public static boolean isRunning(InstanceState state) {
    return Instances.ours(state).isPresent();
  }

  /**
   * Stops every instance recorded under {@code workDir} (SIGTERM, SIGKILL after 10 s) and deletes
   * their state; each stop is logged to {@code deployer.log}. Instances whose pid now belongs to an
   * unrelated process are forgotten, not killed.
   *
   * @return ids of the targets whose process was stopped
   */
  public static List<String> stopAll(Path workDir) {
    List<String> stopped = new ArrayList<>();
    DeployerLog log = new DeployerLog(workDir);
    for (Path dir : instanceDirs(workDir)) {
      try {
        Optional<TargetLock> lock = TargetLock.acquire(dir, LOCK_TIMEOUT, waited -> {});
        if (lock.isEmpty()) {
          throw new IllegalStateException("a deploy to " + dir + " holds its lock");
        }
        try {
          if (LocalProcessDeployer.stopRecorded(dir, STOP_TIMEOUT, log, "stop-all")) {
            stopped.add(dir.getFileName().toString());
          }
        } finally {
          lock.get().close();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while stopping the fleet in " + workDir, e);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return stopped;
  }

  private static List<Path> instanceDirs(Path workDir) {
    if (!Files.isDirectory(workDir)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(workDir)) {
      return entries
          .filter(dir -> Files.isRegularFile(dir.resolve(InstanceState.FILE)))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + workDir, e);
    }
  }
}
