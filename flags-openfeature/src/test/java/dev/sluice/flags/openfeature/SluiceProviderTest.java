package dev.sluice.flags.openfeature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.EventDetails;
import dev.openfeature.sdk.FlagEvaluationDetails;
import dev.openfeature.sdk.NoOpProvider;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.ProviderEvent;
import dev.openfeature.sdk.ProviderState;
import dev.openfeature.sdk.exceptions.OpenFeatureError;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The provider's lifecycle against a stub of Sluice's snapshot endpoint. */
class SluiceProviderTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final String domain = "provider-" + UUID.randomUUID();
  private final OpenFeatureAPI api = OpenFeatureAPI.getInstance();
  private StubSluice sluice;
  private SluiceProvider provider;

  @AfterEach
  void tearDown() {
    api.setProviderAndWait(domain, new NoOpProvider());
    if (provider != null) {
      provider.shutdown();
    }
    if (sluice != null) {
      sluice.close();
    }
  }

  /** Fast timings so failures and staleness show within a second. */
  private SluiceProvider.Builder fast() {
    return SluiceProvider.builder(sluice.baseUrl())
        .initTimeout(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(50))
        .longPollTimeout(Duration.ofSeconds(30))
        .staleAfter(Duration.ofMillis(300))
        .requestTimeout(Duration.ofSeconds(2));
  }

  private Client start(SluiceProvider p) {
    provider = p;
    api.setProviderAndWait(domain, p);
    return api.getClient(domain);
  }

  private static BlockingQueue<EventDetails> events(Client client, ProviderEvent event) {
    BlockingQueue<EventDetails> queue = new LinkedBlockingQueue<>();
    client.on(event, queue::add);
    return queue;
  }

  private static EventDetails next(BlockingQueue<EventDetails> queue) throws InterruptedException {
    EventDetails details = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(details).as("an event within " + WAIT).isNotNull();
    return details;
  }

  @Test
  void initializeLoadsTheSnapshotAndTheProviderIsReady() throws Exception {
    sluice = new StubSluice(Docs.banner(true));

    Client client = start(fast().build());

    assertThat(client.getProviderState()).isEqualTo(ProviderState.READY);
    assertThat(provider.revision()).isEqualTo("\"1\"");
    assertThat(client.getBooleanDetails("banner", false).getValue()).isTrue();
    assertThat(client.getBooleanDetails("banner", false).getReason()).isEqualTo("STATIC");
  }

  @Test
  void aChangeArrivesByLongPollAsConfigurationChangedWithTheChangedKeys() throws Exception {
    sluice = new StubSluice(Docs.bannerAndOther(true, "red"));
    // Plain polls every minute: only the long-poll can bring the change in time.
    Client client = start(fast().pollInterval(Duration.ofMinutes(1)).build());
    BlockingQueue<EventDetails> changes =
        events(client, ProviderEvent.PROVIDER_CONFIGURATION_CHANGED);
    await().atMost(WAIT).until(() -> sluice.longPolls() >= 1);

    sluice.publish(Docs.bannerAndOther(false, "red") + " ");
    EventDetails changed = next(changes);

    assertThat(changed.getFlagsChanged()).containsExactly("banner");
    assertThat(client.getBooleanValue("banner", true)).isFalse();
    assertThat(client.getStringValue("other", "none")).isEqualTo("red");
    assertThat(provider.revision()).isEqualTo("\"2\"");

    sluice.publish(Docs.banner(false));
    assertThat(next(changes).getFlagsChanged()).containsExactly("other");
    assertThat(client.getStringDetails("other", "none").getErrorCode())
        .isEqualTo(ErrorCode.FLAG_NOT_FOUND);
  }

  @Test
  void whenSluiceIsDownTheLastSnapshotIsServedThenStaleThenReadyWhenItReturns() throws Exception {
    sluice = new StubSluice(Docs.banner(true));
    Client client = start(fast().build());
    BlockingQueue<EventDetails> stale = events(client, ProviderEvent.PROVIDER_STALE);
    BlockingQueue<EventDetails> changes =
        events(client, ProviderEvent.PROVIDER_CONFIGURATION_CHANGED);
    await().atMost(WAIT).until(() -> sluice.longPolls() >= 1);

    sluice.stop();
    EventDetails staleEvent = next(stale);

    assertThat(staleEvent.getMessage()).contains("serving revision \"1\"");
    assertThat(client.getProviderState()).isEqualTo(ProviderState.STALE);
    assertThat(client.getBooleanDetails("banner", false).getValue()).isTrue();
    assertThat(client.getBooleanDetails("banner", false).getErrorCode()).isNull();

    // Registered now: a handler for READY added while the provider is ready runs at once.
    BlockingQueue<EventDetails> ready = events(client, ProviderEvent.PROVIDER_READY);
    sluice.start();
    assertThat(next(ready).getMessage()).isEqualTo("Sluice answers again");
    assertThat(client.getProviderState()).isEqualTo(ProviderState.READY);

    sluice.publish(Docs.banner(false));
    assertThat(next(changes).getFlagsChanged()).containsExactly("banner");
    assertThat(client.getBooleanValue("banner", true)).isFalse();
  }

  @Test
  void aSnapshotThatIsNoFlagDocumentIsIgnoredAndOneWithABadFlagServesTheRest() throws Exception {
    sluice = new StubSluice(Docs.banner(true));
    Client client = start(fast().build());
    BlockingQueue<EventDetails> changes =
        events(client, ProviderEvent.PROVIDER_CONFIGURATION_CHANGED);

    sluice.publish("{not json");
    await().atMost(WAIT).until(() -> sluice.servedRevision() == 2);
    sluice.publish("{\"flags\": []}");
    await().atMost(WAIT).until(() -> sluice.servedRevision() == 3);

    assertThat(client.getBooleanValue("banner", false)).isTrue();
    assertThat(provider.revision()).isEqualTo("\"1\"");
    assertThat(client.getProviderState()).isEqualTo(ProviderState.READY);

    // As flagd loads a file: the flag that does not compile answers PARSE_ERROR, the rest serve.
    sluice.publish(
        Docs.BROKEN.replaceFirst(
            "\\{\"flags\": \\{",
            "{\"flags\": {\"other\": "
                + "{\"state\": \"ENABLED\", \"variants\": {\"x\": \"x\"}, \"defaultVariant\": \"x\"},"));
    EventDetails changed = next(changes);
    assertThat(changed.getMessage()).as("no event for the ignored ones").contains("\"4\"");
    FlagEvaluationDetails<Boolean> banner = client.getBooleanDetails("banner", true);
    assertThat(banner.getValue()).isTrue();
    assertThat(banner.getErrorCode()).isEqualTo(ErrorCode.PARSE_ERROR);
    assertThat(client.getStringValue("other", "?")).isEqualTo("x");

    sluice.publish(Docs.banner(false));
    assertThat(next(changes).getMessage()).contains("\"5\"");
    assertThat(client.getBooleanValue("banner", true)).isFalse();
  }

  @Test
  void withoutASnapshotInTimeInitFailsWithErrorThenReadyOnceOneArrives() throws Exception {
    sluice = new StubSluice(Docs.banner(true));
    sluice.stop();
    SluiceProvider p = fast().initTimeout(Duration.ofMillis(300)).build();
    provider = p;

    assertThatThrownBy(() -> api.setProviderAndWait(domain, p))
        .isInstanceOf(OpenFeatureError.class)
        .hasMessageContaining("no flag snapshot");
    Client client = api.getClient(domain);
    assertThat(client.getProviderState()).isEqualTo(ProviderState.ERROR);
    assertThat(client.getBooleanDetails("banner", false).getErrorCode())
        .isEqualTo(ErrorCode.PROVIDER_NOT_READY);
    BlockingQueue<EventDetails> ready = events(client, ProviderEvent.PROVIDER_READY);

    sluice.start();

    next(ready);
    assertThat(client.getProviderState()).isEqualTo(ProviderState.READY);
    assertThat(client.getBooleanValue("banner", false)).isTrue();
  }

  @Test
  void whenLongPollsAreRefusedChangesStillArriveByPlainPolls() throws Exception {
    sluice = new StubSluice(Docs.banner(true));
    sluice.rejectLongPolls(true);
    Client client = start(fast().build());
    BlockingQueue<EventDetails> changes =
        events(client, ProviderEvent.PROVIDER_CONFIGURATION_CHANGED);

    sluice.publish(Docs.banner(false));

    assertThat(next(changes).getFlagsChanged()).containsExactly("banner");
    assertThat(client.getBooleanValue("banner", true)).isFalse();
    assertThat(sluice.longPolls()).isZero();
  }

  @Test
  void theTokenIsSentAsABearerTokenAskedForOnEveryRequest() throws Exception {
    sluice = new StubSluice(Docs.banner(true));
    sluice.requireToken("s3cret");

    Client client = start(fast().tokenSupplier(() -> "s3cret").build());

    assertThat(client.getProviderState()).isEqualTo(ProviderState.READY);
    assertThat(client.getBooleanValue("banner", false)).isTrue();
  }

  @Test
  void aWrongTokenIsAnInitError() throws Exception {
    sluice = new StubSluice(Docs.banner(true));
    sluice.requireToken("s3cret");
    SluiceProvider p = fast().token("wrong").initTimeout(Duration.ofMillis(300)).build();
    provider = p;

    assertThatThrownBy(() -> api.setProviderAndWait(domain, p))
        .isInstanceOf(OpenFeatureError.class);
  }

  @Test
  void shutdownStopsThePollerPromptlyEvenDuringALongPoll() throws Exception {
    sluice = new StubSluice(Docs.banner(true));
    start(fast().build());
    await().atMost(WAIT).until(() -> sluice.longPolls() >= 1);
    assertThat(provider.isPolling()).isTrue();

    long started = System.nanoTime();
    provider.shutdown();

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
    assertThat(provider.isPolling()).isFalse();
  }
}
