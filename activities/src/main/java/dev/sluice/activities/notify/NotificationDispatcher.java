package dev.sluice.activities.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.ledger.Ledger;
import dev.sluice.ledger.Notification;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the ledger's notification outbox to the webhooks: at least once, oldest first, with
 * exponential back-off (up to {@link #MAX_ATTEMPTS} tries). Several API processes may each run one:
 * a notification is claimed before it is sent.
 */
public final class NotificationDispatcher implements AutoCloseable {

  static final int MAX_ATTEMPTS = 10;
  static final Duration LEASE = Duration.ofMinutes(1);

  private static final Logger LOG = LoggerFactory.getLogger(NotificationDispatcher.class);

  private final Ledger ledger;
  private final List<Webhook> hooks;
  private final WebhookSender sender;
  private final Supplier<String> publicUrl;
  private final ObjectMapper json = new ObjectMapper();
  private final ScheduledExecutorService loop =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "sluice-notifications");
            t.setDaemon(true);
            return t;
          });

  /**
   * @param publicUrl where people reach Sluice (the dashboard and the API), for the links each
   *     notification carries; asked at each send
   */
  public NotificationDispatcher(
      Ledger ledger, List<Webhook> hooks, WebhookSender sender, Supplier<String> publicUrl) {
    this.ledger = ledger;
    this.hooks = List.copyOf(hooks);
    this.sender = sender;
    this.publicUrl = publicUrl;
  }

  /** Polls the outbox every {@code period}. */
  public NotificationDispatcher start(Duration period) {
    loop.scheduleWithFixedDelay(
        () -> {
          try {
            deliverPending();
          } catch (RuntimeException e) {
            LOG.warn("Delivering notifications failed; trying again shortly", e);
          }
        },
        0,
        period.toMillis(),
        TimeUnit.MILLISECONDS);
    return this;
  }

  /** Sends what is due now; returns how many notifications were delivered. */
  public int deliverPending() {
    int delivered = 0;
    for (Notification n : ledger.claimNotifications(50, MAX_ATTEMPTS, LEASE)) {
      String error = null;
      String payload = withLinks(n.payload());
      for (Webhook hook : hooks) {
        if (!hook.wants(n.type())) {
          continue;
        }
        try {
          sender.send(hook, payload);
        } catch (IOException e) {
          error = e.getMessage();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return delivered;
        }
      }
      if (error == null) {
        ledger.notificationDelivered(n.id());
        delivered++;
      } else {
        Duration backoff = Duration.ofSeconds(Math.min(300, 1L << Math.min(n.attempts(), 8)));
        LOG.warn("Notification {} not delivered ({}); retrying in {}", n.id(), error, backoff);
        ledger.notificationFailed(n.id(), error, backoff);
      }
    }
    return delivered;
  }

  /** The stored payload with the links of the moment's public URL. */
  private String withLinks(String payload) {
    try {
      return json.writeValueAsString(
          NotificationLinks.add((ObjectNode) json.readTree(payload), publicUrl.get()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a notification's stored payload is not JSON", e);
    }
  }

  @Override
  public void close() {
    loop.shutdownNow();
  }
}
