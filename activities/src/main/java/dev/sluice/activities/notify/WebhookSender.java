package dev.sluice.activities.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Posts one notification to one webhook. Secrets (the URL of a Slack webhook, a signing secret) are
 * read from the environment when a message is sent, never stored or logged.
 */
public final class WebhookSender {

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ObjectMapper json = new ObjectMapper();
  private final Map<String, String> environment;

  public WebhookSender() {
    this(System.getenv());
  }

  /** With an explicit environment, for tests. */
  public WebhookSender(Map<String, String> environment) {
    this.environment = environment;
  }

  /**
   * Sends {@code payload} (Sluice's JSON) to {@code hook}.
   *
   * @throws IOException when the endpoint cannot be reached or answers other than 2xx
   */
  public void send(Webhook hook, String payload) throws IOException, InterruptedException {
    String url = hook.url();
    if (hook.urlEnv() != null) {
      url = environment.get(hook.urlEnv());
    }
    if (url == null || url.isBlank()) {
      throw new IOException(
          "webhook " + hook.name() + " has no URL (environment variable " + hook.urlEnv() + ")");
    }
    String body = hook.format().equals("slack") ? slack(payload) : payload;
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .header("User-Agent", "sluice-notifier")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (hook.secretEnv() != null) {
      String secret = environment.get(hook.secretEnv());
      if (secret == null || secret.isBlank()) {
        throw new IOException(
            "webhook " + hook.name() + ": environment variable " + hook.secretEnv() + " is empty");
      }
      request.header("X-Sluice-Signature", "sha256=" + sign(secret, body));
    }
    HttpResponse<String> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IOException("webhook " + hook.name() + " answered " + response.statusCode());
    }
  }

  /** Slack's incoming-webhook shape: {@link SlackMessage}. */
  private String slack(String payload) throws IOException {
    return json.writeValueAsString(SlackMessage.of(json.readTree(payload)));
  }

  static String sign(String secret, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
