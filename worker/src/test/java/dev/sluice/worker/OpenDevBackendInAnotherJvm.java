package dev.sluice.worker;

import java.nio.file.Path;

/**
 * A stand-in Sluice for {@link DevServerOwnershipTest}: opens the dev backend, prints {@code
 * READY}, then waits to be killed, so the test can SIGKILL the JVM that started a dev server.
 *
 * <p>Arguments: home port uiPort dbFile binary.
 */
public final class OpenDevBackendInAnotherJvm {

  private OpenDevBackendInAnotherJvm() {}

  public static void main(String[] args) throws InterruptedException {
    TemporalSettings settings =
        DevServerOwnershipTest.settings(
            Integer.parseInt(args[1]), Integer.parseInt(args[2]), Path.of(args[3]), args[4]);
    TemporalBackend backend = TemporalBackend.open(settings, Path.of(args[0]));
    System.out.println("READY " + backend.address());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
