package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code sluice rollback}: what it sends. The receiving end is a tiny HTTP server that records each
 * request and answers as the API does.
 */
class RollbackCommandTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  record Received(String method, String path, String body) {}

  private final List<Received> received = new CopyOnWriteArrayList<>();
  private HttpServer server;
  private String url;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          received.add(
              new Received(
                  exchange.getRequestMethod(),
                  exchange.getRequestURI().getPath(),
                  new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
          byte[] answer =
              ("{\"action\":\"redeploy\",\"deploymentId\":\"dep-0123456789ab\","
                      + "\"version\":\"1.0.0\",\"message\":\"fast rollback: deploying 1.0.0\"}")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(202, answer.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
          }
        });
    server.start();
    url = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void fastAsksTheApiForAFastRollbackWithTheReason() throws IOException {
    StringWriter out = new StringWriter();
    int code =
        SluiceCli.run(
            new String[] {"rollback", "pay", "--fast", "--reason", "INC-7", "--url", url},
            null,
            new PrintWriter(out),
            new PrintWriter(new StringWriter()),
            Map.of());

    assertThat(code).isZero();
    assertThat(received).hasSize(1);
    Received request = received.get(0);
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.path()).isEqualTo("/api/v1/services/pay/rollback");
    assertThat(JSON.readTree(request.body()))
        .isEqualTo(JSON.readTree("{\"reason\":\"INC-7\",\"fast\":true}"));
    assertThat(out.toString().lines().findFirst()).contains("dep-0123456789ab");
  }

  @Test
  void withoutFastTheBodySaysNothingOfIt() throws IOException {
    int code =
        SluiceCli.run(
            new String[] {"rollback", "pay", "--url", url},
            null,
            new PrintWriter(new StringWriter()),
            new PrintWriter(new StringWriter()),
            Map.of());

    assertThat(code).isZero();
    JsonNode body = JSON.readTree(received.get(0).body());
    assertThat(body.has("fast")).isFalse();
  }
}
