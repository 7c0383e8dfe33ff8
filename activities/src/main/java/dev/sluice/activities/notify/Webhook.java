package dev.sluice.activities.notify;

import java.util.List;

/**
 * Where notifications go: an HTTP endpoint receiving a JSON POST per notification.
 *
 * @param name for logs and errors
 * @param url the endpoint, when it holds no secret; otherwise leave null and use {@code urlEnv}
 * @param urlEnv name of an environment variable holding the endpoint (Slack webhook URLs are
 *     secrets)
 * @param format {@code json} (Sluice's payload, with its links) or {@code slack} (an incoming
 *     webhook's {@code text} and {@code blocks}: {@link SlackMessage})
 * @param events notification types to send (e.g. {@code deployment.failed}); empty = all
 * @param secretEnv name of an environment variable holding a shared secret: each request then
 *     carries {@code X-Sluice-Signature: sha256=<HMAC of the body>}
 */
public record Webhook(
    String name, String url, String urlEnv, String format, List<String> events, String secretEnv) {

  public Webhook {
    format = format == null ? "json" : format;
    events = events == null ? List.of() : List.copyOf(events);
  }

  public boolean wants(String type) {
    return events.isEmpty() || events.contains(type);
  }
}
