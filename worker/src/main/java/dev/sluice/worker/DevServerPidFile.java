package dev.sluice.worker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * The claim Sluice leaves on a dev server it started: {@code .sluice/temporal-dev-PORT.pid} under
 * the home, holding the server's pid and address. A Sluice killed before it could stop its dev
 * server leaves the file behind, so the next Sluice in the same home can tell that server (its own,
 * to adopt and stop) from one somebody else started (to use and leave running).
 */
final class DevServerPidFile {

  private final Path path;
  private final String address;

  private DevServerPidFile(Path path, String address) {
    this.path = path;
    this.address = address;
  }

  /**
   * The pid file for a dev server at {@code address} ({@code host:port}) started in {@code home}.
   */
  static DevServerPidFile of(Path home, String address) {
    int port = DevServerTemporal.HostPort.parse(address).port();
    return new DevServerPidFile(
        home.resolve(".sluice").resolve("temporal-dev-" + port + ".pid"), address);
  }

  Path path() {
    return path;
  }

  /** Records that Sluice started the dev server {@code pid}; replaces any earlier claim. */
  void write(long pid) {
    try {
      Files.createDirectories(path.getParent());
      Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
      Files.writeString(tmp, pid + " " + address + "\n", StandardCharsets.UTF_8);
      Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + path, e);
    }
  }

  /**
   * The dev server this file claims, when it is still running: the pid is alive, is a {@code
   * temporal} process, and the file names this address. Empty when there is no file or the claim is
   * stale (the server ended, or the pid now belongs to something else).
   */
  Optional<ProcessHandle> liveServer() {
    List<String> fields;
    try {
      fields = List.of(Files.readString(path, StandardCharsets.UTF_8).trim().split("\\s+"));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
    if (fields.size() != 2 || !fields.get(1).equals(address)) {
      return Optional.empty();
    }
    long pid;
    try {
      pid = Long.parseLong(fields.get(0));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .filter(DevServerPidFile::isTemporal);
  }

  /** Removes the claim if it still names {@code pid} (a newer Sluice may have replaced it). */
  void deleteIfFor(long pid) {
    try {
      String content = Files.readString(path, StandardCharsets.UTF_8).trim();
      if (content.startsWith(pid + " ")) {
        Files.deleteIfExists(path);
      }
    } catch (NoSuchFileException e) {
      // Already gone.
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + path, e);
    }
  }

  private static boolean isTemporal(ProcessHandle process) {
    ProcessHandle.Info info = process.info();
    boolean named =
        info.command()
            .map(c -> Path.of(c).getFileName().toString().startsWith("temporal"))
            .orElse(false);
    boolean devServer = info.arguments().map(a -> List.of(a).contains("start-dev")).orElse(true);
    return named && devServer;
  }
}
