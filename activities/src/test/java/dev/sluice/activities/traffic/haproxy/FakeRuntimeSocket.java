package dev.sluice.activities.traffic.haproxy;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A stand-in for HAProxy's admin socket that records what a client sends: one line per connection,
 * answered by {@code answer} and closed, as HAProxy's non-interactive mode does. Shows what goes
 * over the wire, which the real HAProxy does not reveal.
 */
final class FakeRuntimeSocket implements AutoCloseable {

  private final Path path;
  private final ServerSocketChannel server;
  private final Thread acceptor;
  private final List<String> lines = new CopyOnWriteArrayList<>();

  private FakeRuntimeSocket(Path path, Function<String, String> answer) throws IOException {
    this.path = path;
    this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(path));
    this.acceptor = new Thread(() -> serve(answer), "fake-haproxy-socket");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Listens at {@code path}; {@code answer} maps each received line (without newline) to text. */
  static FakeRuntimeSocket listen(Path path, Function<String, String> answer) {
    try {
      return new FakeRuntimeSocket(path, answer);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + path, e);
    }
  }

  Path path() {
    return path;
  }

  /** The lines received so far, one per connection. */
  List<String> lines() {
    return List.copyOf(lines);
  }

  @Override
  public void close() throws IOException {
    server.close();
    try {
      acceptor.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void serve(Function<String, String> answer) {
    while (server.isOpen()) {
      try (SocketChannel client = server.accept()) {
        String line = readLine(client);
        lines.add(line);
        ByteBuffer out = ByteBuffer.wrap(answer.apply(line).getBytes(UTF_8));
        while (out.hasRemaining()) {
          client.write(out);
        }
      } catch (IOException closedOrBroken) {
        return;
      }
    }
  }

  private static String readLine(SocketChannel client) throws IOException {
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    ByteBuffer in = ByteBuffer.allocate(4096);
    while (client.read(in) >= 0) {
      in.flip();
      while (in.hasRemaining()) {
        byte b = in.get();
        if (b == '\n') {
          return received.toString(UTF_8);
        }
        received.write(b);
      }
      in.clear();
    }
    return received.toString(UTF_8);
  }
}
