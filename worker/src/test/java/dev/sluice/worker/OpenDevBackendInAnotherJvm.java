package dev.sluice.worker;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A stand-in Sluice for {@link DevServerOwnershipTest}: opens the dev backend, prints {@code
 * READY}, then waits to be killed (or for its parent to go), so the test can SIGKILL the JVM that
 * started a dev server.
 *
 * <p>Arguments: home port uiPort dbFile binary.
 */
public final class OpenDevBackendInAnotherJvm {

  private OpenDevBackendInAnotherJvm() {}

  public static void main(String[] args) throws IOException {
    TemporalSettings settings =
        DevServerOwnershipTest.settings(
            Integer.parseInt(args[1]), Integer.parseInt(args[2]), Path.of(args[3]), args[4]);
    TemporalBackend backend = TemporalBackend.open(settings, Path.of(args[0]));
    System.out.println("READY " + backend.address());
    System.out.flush();
    // Held until killed; should the test's JVM die first, its end of stdin closes and this ends
    // too, so no stand-in outlives a failed run.
    while (System.in.read() >= 0) {
      // ignore input
    }
  }
}
