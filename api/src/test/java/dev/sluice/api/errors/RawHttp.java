package dev.sluice.api.errors;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP/1.1 over a plain socket, so a request reaches the server exactly as written: clients
 * normalise paths such as {@code ..%2F} and refuse malformed headers before sending them.
 */
final class RawHttp {

  private RawHttp() {}

  /** A response: status, headers (names in lower case) and body as text. */
  record RawAnswer(int status, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.getOrDefault(name.toLowerCase(Locale.ROOT), "");
    }
  }

  /**
   * Sends {@code head} (request line and headers, each ending in CRLF, optionally followed by a
   * blank line and a body) with {@code Host} and {@code Connection: close} added, and reads the
   * whole answer.
   */
  static RawAnswer send(int port, String head) throws IOException {
    int split = head.indexOf("\r\n\r\n");
    String headers = split < 0 ? head : head.substring(0, split + 2);
    String body = split < 0 ? "" : head.substring(split + 4);
    String request = headers + "Host: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n" + body;
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      return parse(socket.getInputStream().readAllBytes());
    }
  }

  /**
   * Sends a request whose body goes in chunks ({@code Transfer-Encoding: chunked}, no length), as a
   * streaming client would.
   */
  static RawAnswer sendChunked(int port, String head, byte[] body, int chunkSize)
      throws IOException {
    String request =
        head
            + "Host: 127.0.0.1:"
            + port
            + "\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n";
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      try {
        for (int at = 0; at < body.length; at += chunkSize) {
          int n = Math.min(chunkSize, body.length - at);
          out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
          out.write(body, at, n);
          out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
      } catch (IOException refusedMidway) {
        // The server may answer and close before the whole body is sent; its answer is read below.
      }
      return parse(socket.getInputStream().readAllBytes());
    }
  }

  private static RawAnswer parse(byte[] raw) {
    String text = new String(raw, StandardCharsets.UTF_8);
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      throw new IllegalStateException("no HTTP answer: " + text);
    }
    String[] lines = text.substring(0, end).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new TreeMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.put(
          lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
          lines[i].substring(colon + 1).strip());
    }
    String body = text.substring(end + 4);
    if (headers.getOrDefault("transfer-encoding", "").equalsIgnoreCase("chunked")) {
      body = unchunk(body);
    }
    return new RawAnswer(status, headers, body);
  }

  /** The body of a chunked answer; error bodies are ASCII, so characters count as bytes. */
  private static String unchunk(String chunked) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int at = 0;
    while (true) {
      int lineEnd = chunked.indexOf("\r\n", at);
      int size = Integer.parseInt(chunked.substring(at, lineEnd).split(";")[0].strip(), 16);
      if (size == 0) {
        return out.toString(StandardCharsets.UTF_8);
      }
      byte[] chunk =
          chunked.substring(lineEnd + 2, lineEnd + 2 + size).getBytes(StandardCharsets.UTF_8);
      out.write(chunk, 0, chunk.length);
      at = lineEnd + 2 + size + 2;
    }
  }
}
