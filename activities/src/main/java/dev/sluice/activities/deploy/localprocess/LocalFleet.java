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
 * whole: for {@code sluice stop-instances}, and for tests and the demo's cleanup, which must not
 * leave processes behind.
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
    return stop(workDir, null, STOP_TIMEOUT, "stop-all").stream()
        .filter(StoppedInstance::endedAProcess)
        .map(StoppedInstance::target)
        .toList();
  }

  /**
   * Stops the instances recorded under {@code workDir} for {@code targetIds} ({@code null}: every
   * recorded one), for an operator ending a service's fleet ({@code sluice stop-instances}): each
   * gets SIGTERM and up to {@code stopTimeout} to exit gracefully, then SIGKILL. Waits for a deploy
   * holding a target's lock to finish first. Each stop is logged to {@code deployer.log} and the
   * state is deleted, so the deployer sees the target run nothing and its next deploy starts a
   * fresh instance. Targets without a recorded instance are skipped; an instance whose pid now
   * belongs to an unrelated process is forgotten, not killed.
   *
   * @return one entry per recorded instance, in the order of {@code targetIds} (by id for all)
   * @throws IllegalStateException when a deploy holds a target's lock for over a minute
   */
  public static List<StoppedInstance> stop(
      Path workDir, List<String> targetIds, Duration stopTimeout) {
    return stop(workDir, targetIds, stopTimeout, "stop-instances");
  }

  private static List<StoppedInstance> stop(
      Path workDir, List<String> targetIds, Duration stopTimeout, String reason) {
    List<StoppedInstance> stopped = new ArrayList<>();
    DeployerLog log = new DeployerLog(workDir);
    List<Path> dirs =
        targetIds == null
            ? instanceDirs(workDir)
            : targetIds.stream()
                .map(id -> workDir.resolve(id).normalize())
                // An id like "../x" names no instance of this work directory.
                .filter(dir -> workDir.normalize().equals(dir.getParent()))
                .filter(dir -> Files.isRegularFile(dir.resolve(InstanceState.FILE)))
                .toList();
    for (Path dir : dirs) {
      try {
        Optional<TargetLock> lock = TargetLock.acquire(dir, LOCK_TIMEOUT, waited -> {});
        if (lock.isEmpty()) {
          throw new IllegalStateException("a deploy to " + dir + " holds its lock");
        }
        try {
          LocalProcessDeployer.stopRecorded(dir, stopTimeout, log, reason).ifPresent(stopped::add);
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
