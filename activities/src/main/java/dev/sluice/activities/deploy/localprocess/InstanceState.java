package dev.sluice.activities.deploy.localprocess;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Optional;

/**
 * What the deployer knows about the instance on one target, kept in {@code
 * <workDir>/<targetId>/instance.json} so that a new worker (after the old one crashed) finds and
 * manages the running instances.
 *
 * @param target target id
 * @param version version the instance runs
 * @param requestId the deploy request that started it; a retry of that request is a no-op
 * @param pid the instance's process id
 * @param host host it was deployed for
 * @param port port it listens on
 * @param startedAt when the deployer started it
 * @param processStart the process's start time as the OS reports it; together with the pid it
 *     identifies the process, so a pid reused by an unrelated process is never mistaken for ours
 * @param status {@link #STARTING} until it accepted a connection, then {@link #RUNNING}
 */
public record InstanceState(
    String target,
    String version,
    String requestId,
    long pid,
    String host,
    int port,
    Instant startedAt,
    Instant processStart,
    String status) {

  public static final String STARTING = "starting";
  public static final String RUNNING = "running";

  static final String FILE = "instance.json";

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .enable(SerializationFeature.INDENT_OUTPUT)
          // A newer deployer may add fields; an older one still manages the instance.
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  InstanceState withStatus(String newStatus) {
    return new InstanceState(
        target, version, requestId, pid, host, port, startedAt, processStart, newStatus);
  }

  boolean running() {
    return RUNNING.equals(status);
  }

  /** The state recorded in {@code instanceDir}, if any. */
  static Optional<InstanceState> read(Path instanceDir) {
    try {
      return Optional.of(JSON.readValue(instanceDir.resolve(FILE).toFile(), InstanceState.class));
    } catch (NoSuchFileException | FileNotFoundException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + instanceDir.resolve(FILE), e);
    }
  }

  /**
   * Writes this state to {@code instanceDir} atomically (temp file, then rename), so a crash
   * mid-write leaves either the old state or the new one, never half a file.
   */
  void write(Path instanceDir) {
    try {
      Files.createDirectories(instanceDir);
      Path temp = Files.createTempFile(instanceDir, FILE, ".tmp");
      try {
        JSON.writeValue(temp.toFile(), this);
        try {
          Files.move(
              temp,
              instanceDir.resolve(FILE),
              StandardCopyOption.ATOMIC_MOVE,
              StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(temp, instanceDir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + instanceDir.resolve(FILE), e);
    }
  }

  /** Forgets the instance of {@code instanceDir}; nothing happens when there is none. */
  static void delete(Path instanceDir) {
    try {
      Files.deleteIfExists(instanceDir.resolve(FILE));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + instanceDir.resolve(FILE), e);
    }
  }
}
