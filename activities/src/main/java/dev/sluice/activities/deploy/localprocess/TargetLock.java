package dev.sluice.activities.deploy.localprocess;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;

/**
 * Exclusive use of one target's directory, across threads and across worker processes: a retried
 * deploy must not start a second instance while a slow first attempt is still at work. The OS
 * releases the file lock when its holder dies, so a crashed worker never blocks the next one.
 */
final class TargetLock implements AutoCloseable {

  // File locks belong to the whole JVM, so threads of one JVM need a lock of their own.
  private static final ConcurrentMap<Path, ReentrantLock> THREAD_LOCKS = new ConcurrentHashMap<>();

  private final ReentrantLock threadLock;
  private final FileChannel channel;
  private final FileLock fileLock;

  private TargetLock(ReentrantLock threadLock, FileChannel channel, FileLock fileLock) {
    this.threadLock = threadLock;
    this.channel = channel;
    this.fileLock = fileLock;
  }

  /**
   * Takes the lock of {@code instanceDir}, waiting up to {@code timeout}; {@code waiting} is told
   * how long it has waited, about once a second, so the caller can heartbeat.
   *
   * @return the lock, or empty when someone else held it for the whole timeout
   */
  static Optional<TargetLock> acquire(Path instanceDir, Duration timeout, LongConsumer waiting)
      throws IOException, InterruptedException {
    Files.createDirectories(instanceDir);
    Path lockFile = instanceDir.resolve(".lock");
    ReentrantLock threadLock =
        THREAD_LOCKS.computeIfAbsent(
            lockFile.toAbsolutePath().normalize(), k -> new ReentrantLock());
    long started = System.nanoTime();
    long deadline = started + timeout.toNanos();
    long nextReport = started + TimeUnit.SECONDS.toNanos(1);
    while (!threadLock.tryLock(100, TimeUnit.MILLISECONDS)) {
      if (System.nanoTime() > deadline) {
        return Optional.empty();
      }
      nextReport = report(started, nextReport, waiting);
    }
    FileChannel channel = null;
    boolean locked = false;
    try {
      channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock fileLock;
      while ((fileLock = channel.tryLock()) == null) {
        if (System.nanoTime() > deadline) {
          return Optional.empty();
        }
        nextReport = report(started, nextReport, waiting);
        TimeUnit.MILLISECONDS.sleep(100);
      }
      locked = true;
      return Optional.of(new TargetLock(threadLock, channel, fileLock));
    } finally {
      if (!locked) {
        try {
          if (channel != null) {
            channel.close();
          }
        } finally {
          threadLock.unlock();
        }
      }
    }
  }

  private static long report(long started, long nextReport, LongConsumer waiting) {
    long now = System.nanoTime();
    if (now < nextReport) {
      return nextReport;
    }
    waiting.accept(TimeUnit.NANOSECONDS.toMillis(now - started));
    return now + TimeUnit.SECONDS.toNanos(1);
  }

  @Override
  public void close() throws IOException {
    try {
      fileLock.release();
      channel.close();
    } finally {
      threadLock.unlock();
    }
  }
}
