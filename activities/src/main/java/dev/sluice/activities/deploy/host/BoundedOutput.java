package dev.sluice.activities.deploy.host;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Keeps the last {@code limit} bytes written to it: what a command printed, bounded. */
public final class BoundedOutput extends OutputStream {

  private final int limit;
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
  private boolean cut;

  public BoundedOutput(int limit) {
    this.limit = limit;
  }

  @Override
  public synchronized void write(int b) {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public synchronized void write(byte[] bytes, int offset, int length) {
    buffer.write(bytes, offset, length);
    if (buffer.size() > 2 * limit) {
      byte[] all = buffer.toByteArray();
      buffer.reset();
      buffer.write(all, all.length - limit, limit);
      cut = true;
    }
  }

  /** The text kept, prefixed by {@code …} when earlier output was dropped. */
  public synchronized String text() {
    byte[] all = buffer.toByteArray();
    int from = Math.max(0, all.length - limit);
    String text = new String(all, from, all.length - from, StandardCharsets.UTF_8);
    return (cut || from > 0 ? "…" : "") + text;
  }
}
