package dev.sluice.flags.openfeature;

import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.EventProvider;
import dev.openfeature.sdk.ImmutableMetadata;
import dev.openfeature.sdk.Metadata;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.openfeature.sdk.ProviderEventDetails;
import dev.openfeature.sdk.Reason;
import dev.openfeature.sdk.Value;
import dev.openfeature.sdk.exceptions.GeneralError;
import dev.sluice.flags.EvaluationResult;
import dev.sluice.flags.FlagDefinitionException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpenFeature provider for Sluice's feature flags that evaluates <em>locally</em>: it fetches
 * the whole flag set once ({@code GET /api/v1/flags/snapshot}, a flagd document), compiles it with
 * Sluice's {@link dev.sluice.flags.FlagEngine}, and answers every evaluation in memory. A daemon
 * thread keeps the snapshot fresh by long-polling the API.
 *
 * <p>Lifecycle and events:
 *
 * <ul>
 *   <li>{@link #initialize} waits up to {@code initTimeout} for the first snapshot; the SDK reports
 *       READY, or ERROR when none arrived in time. Polling carries on either way, and the provider
 *       emits READY once a snapshot arrives late.
 *   <li>A new snapshot emits CONFIGURATION_CHANGED with the keys of the flags that changed.
 *   <li>A snapshot is compiled flag by flag, as flagd loads a file: a flag that does not compile is
 *       logged and answers PARSE_ERROR, the others are served. A snapshot that is no flag document
 *       at all (not JSON, no {@code flags} object) is logged and ignored: the last good one stays.
 *   <li>When Sluice does not answer for {@code staleAfter}, STALE; when it answers again, READY.
 *       The last snapshot is served throughout.
 *   <li>{@link #shutdown} stops the thread, interrupting a long-poll in flight.
 * </ul>
 *
 * <pre>{@code
 * SluiceProvider provider = SluiceProvider.builder("https://sluice.internal:8080")
 *     .token(System.getenv("SLUICE_TOKEN"))
 *     .build();
 * OpenFeatureAPI.getInstance().setProviderAndWait("checkout", provider);
 * Client flags = OpenFeatureAPI.getInstance().getClient("checkout");
 * }</pre>
 *
 * <p>Evaluation follows flagd: a disabled flag, or targeting that falls through without a default
 * variant, yields the caller's default with reason DISABLED / DEFAULT; object evaluations need
 * object flags (TYPE_MISMATCH otherwise). Errors are values, never thrown.
 */
public final class SluiceProvider extends EventProvider {

  private static final Logger LOG = LoggerFactory.getLogger(SluiceProvider.class);

  private static final Metadata METADATA = () -> "Sluice";
  private static final String ERROR = Reason.ERROR.name();

  private final SnapshotPoller poller; // null for a fixed document
  private final LazyContexts contexts = new LazyContexts();
  private final Duration initTimeout;
  private final CountDownLatch firstSnapshot = new CountDownLatch(1);
  private final Object initLock = new Object();

  private volatile Snapshot snapshot;
  private boolean initFailed; // guarded by initLock
  private boolean started; // guarded by initLock
  private volatile boolean shutDown;

  private SluiceProvider(Builder builder) {
    this.initTimeout = builder.initTimeout;
    this.poller =
        new SnapshotPoller(
            builder.httpClient != null
                ? builder.httpClient
                : HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(min(builder.requestTimeout, Duration.ofSeconds(5)))
                    .build(),
            new SnapshotPoller.Settings(
                builder.baseUrl.resolve("api/v1/flags/snapshot"),
                builder.token,
                builder.pollInterval,
                builder.longPollTimeout,
                builder.staleAfter,
                builder.requestTimeout),
            new PollerEvents());
  }

  private SluiceProvider(Snapshot fixed) {
    this.initTimeout = Duration.ZERO;
    this.poller = null;
    this.snapshot = fixed;
    this.firstSnapshot.countDown();
  }

  /** A provider for the Sluice API at {@code baseUrl} (e.g. {@code http://localhost:8080}). */
  public static Builder builder(String baseUrl) {
    return builder(URI.create(baseUrl));
  }

  /** A provider for the Sluice API at {@code baseUrl}. */
  public static Builder builder(URI baseUrl) {
    return new Builder(baseUrl);
  }

  /**
   * A provider serving one fixed flagd document, with no I/O: for tests, benchmarks and offline
   * use. It never changes and never emits events of its own. The document is read as flagd reads a
   * file: a flag that does not compile is logged and answers PARSE_ERROR.
   *
   * @throws FlagDefinitionException when the document is not JSON or no flag document at all
   */
  public static SluiceProvider ofDocument(String flagdJson) throws FlagDefinitionException {
    Snapshot snapshot = Snapshot.parse(null, flagdJson);
    snapshot.logProblems(LOG);
    return new SluiceProvider(snapshot);
  }

  @Override
  public Metadata getMetadata() {
    return METADATA;
  }

  /**
   * Starts polling and waits up to the init timeout for the first snapshot.
   *
   * @throws GeneralError when no snapshot arrived in time (the SDK then reports ERROR; polling
   *     continues and READY follows the first snapshot)
   */
  @Override
  public void initialize(EvaluationContext evaluationContext) throws Exception {
    if (poller == null) {
      return;
    }
    synchronized (initLock) {
      if (shutDown) {
        throw new GeneralError("this Sluice provider was shut down; build a new one");
      }
      if (!started) {
        started = true;
        poller.start();
      }
    }
    boolean loaded = firstSnapshot.await(initTimeout.toNanos(), TimeUnit.NANOSECONDS);
    synchronized (initLock) {
      if (loaded || snapshot != null) {
        initFailed = false;
        return;
      }
      initFailed = true;
    }
    throw new GeneralError(
        "no flag snapshot from Sluice within " + initTimeout.toMillis() + " ms; still trying");
  }

  /** Stops the polling thread promptly (interrupting a long-poll in flight), then the emitter. */
  @Override
  public void shutdown() {
    shutDown = true;
    if (poller != null) {
      poller.stop(Duration.ofSeconds(5));
    }
    super.shutdown();
  }

  /** Whether the polling thread runs; for tests. */
  boolean isPolling() {
    return poller != null && poller.isAlive();
  }

  /** The revision (ETag) of the snapshot served, or {@code null} before the first. */
  public String revision() {
    Snapshot s = snapshot;
    return s == null ? null : s.etag();
  }

  // --- evaluation -------------------------------------------------------------------------------

  @Override
  public ProviderEvaluation<Boolean> getBooleanEvaluation(
      String key, Boolean defaultValue, EvaluationContext ctx) {
    return evaluate(key, Boolean.class, defaultValue, ctx);
  }

  @Override
  public ProviderEvaluation<String> getStringEvaluation(
      String key, String defaultValue, EvaluationContext ctx) {
    return evaluate(key, String.class, defaultValue, ctx);
  }

  @Override
  public ProviderEvaluation<Integer> getIntegerEvaluation(
      String key, Integer defaultValue, EvaluationContext ctx) {
    return evaluate(key, Integer.class, defaultValue, ctx);
  }

  @Override
  public ProviderEvaluation<Double> getDoubleEvaluation(
      String key, Double defaultValue, EvaluationContext ctx) {
    return evaluate(key, Double.class, defaultValue, ctx);
  }

  @Override
  public ProviderEvaluation<Value> getObjectEvaluation(
      String key, Value defaultValue, EvaluationContext ctx) {
    Snapshot s = snapshot;
    if (s == null) {
      return notReady(defaultValue);
    }
    @SuppressWarnings("rawtypes")
    EvaluationResult<Map> result;
    try (LazyContexts.View view = contexts.open(ctx)) {
      result = s.engine().evaluate(key, Map.class, view.context());
    }
    return s.evaluations().ofObject(key, result, defaultValue);
  }

  private <T> ProviderEvaluation<T> evaluate(
      String key, Class<T> type, T defaultValue, EvaluationContext ctx) {
    Snapshot s = snapshot;
    if (s == null) {
      return notReady(defaultValue);
    }
    EvaluationResult<T> result;
    try (LazyContexts.View view = contexts.open(ctx)) {
      result = s.engine().evaluate(key, type, view.context());
    }
    return s.evaluations().of(key, result, defaultValue);
  }

  private static <T> ProviderEvaluation<T> notReady(T defaultValue) {
    return new ProviderEvaluation<>(
        defaultValue,
        null,
        ERROR,
        ErrorCode.PROVIDER_NOT_READY,
        "no flag snapshot from Sluice yet",
        ImmutableMetadata.EMPTY);
  }

  static ErrorCode errorCode(dev.sluice.flags.ErrorCode code) {
    return switch (code) {
      case FLAG_NOT_FOUND -> ErrorCode.FLAG_NOT_FOUND;
      case TYPE_MISMATCH -> ErrorCode.TYPE_MISMATCH;
      case TARGETING_KEY_MISSING -> ErrorCode.TARGETING_KEY_MISSING;
      case PARSE_ERROR -> ErrorCode.PARSE_ERROR;
      case GENERAL -> ErrorCode.GENERAL;
    };
  }

  // --- events -----------------------------------------------------------------------------------

  private final class PollerEvents implements SnapshotPoller.Listener {
    @Override
    public void loaded(Snapshot previous, Snapshot next) {
      next.logProblems(LOG);
      boolean lateFirst;
      synchronized (initLock) {
        snapshot = next;
        lateFirst = previous == null && initFailed;
        firstSnapshot.countDown();
      }
      if (previous == null) {
        LOG.info(
            "Loaded flag snapshot {} ({} flags)", next.etag(), next.engine().flagKeys().size());
        if (lateFirst) {
          emitSafely(() -> emitProviderReady(details("first flag snapshot " + next.etag(), null)));
        }
        return;
      }
      List<String> changed = next.changedSince(previous);
      LOG.info("Flag snapshot {} -> {}: changed {}", previous.etag(), next.etag(), changed);
      emitSafely(
          () -> emitProviderConfigurationChanged(details("flag snapshot " + next.etag(), changed)));
    }

    @Override
    public void stale(String message) {
      emitSafely(() -> emitProviderStale(details(message, null)));
    }

    @Override
    public void recovered() {
      emitSafely(() -> emitProviderReady(details("Sluice answers again", null)));
    }
  }

  private static ProviderEventDetails details(String message, List<String> flagsChanged) {
    var builder = ProviderEventDetails.builder().message(message);
    if (flagsChanged != null) {
      builder.flagsChanged(flagsChanged);
    }
    return builder.build();
  }

  private void emitSafely(Runnable emit) {
    if (shutDown) {
      return;
    }
    try {
      emit.run();
    } catch (RejectedExecutionException e) {
      LOG.debug("Event dropped: the provider is shutting down");
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** Options of a {@link SluiceProvider}; every duration must be positive. */
  public static final class Builder {
    private final URI baseUrl;
    private Supplier<String> token = () -> null;
    private Duration initTimeout = Duration.ofSeconds(5);
    private Duration pollInterval = Duration.ofSeconds(5);
    private Duration longPollTimeout = Duration.ofSeconds(30);
    private Duration staleAfter = Duration.ofSeconds(30);
    private Duration requestTimeout = Duration.ofSeconds(10);
    private HttpClient httpClient;

    private Builder(URI baseUrl) {
      Objects.requireNonNull(baseUrl, "baseUrl");
      String text = baseUrl.toString();
      this.baseUrl = URI.create(text.endsWith("/") ? text : text + "/");
    }

    /** A fixed bearer token; {@code null} or blank sends no {@code Authorization} header. */
    public Builder token(String token) {
      return tokenSupplier(() -> token);
    }

    /** A token asked for before every request (for rotation). */
    public Builder tokenSupplier(Supplier<String> token) {
      this.token = Objects.requireNonNull(token, "token");
      return this;
    }

    /** How long {@code initialize} waits for the first snapshot; default 5 s. */
    public Builder initTimeout(Duration initTimeout) {
      this.initTimeout = positive(initTimeout, "initTimeout");
      return this;
    }

    /**
     * The interval of plain ETag polls, used after a failed request until Sluice answers again, and
     * the least time between two requests that bring no change; default 5 s.
     */
    public Builder pollInterval(Duration pollInterval) {
      this.pollInterval = positive(pollInterval, "pollInterval");
      return this;
    }

    /** How long one long-poll waits for a change: whole seconds, 1 to 60; default 30 s. */
    public Builder longPollTimeout(Duration longPollTimeout) {
      positive(longPollTimeout, "longPollTimeout");
      if (longPollTimeout.toSeconds() < 1 || longPollTimeout.toSeconds() > 60) {
        throw new IllegalArgumentException("longPollTimeout must be 1 to 60 s: " + longPollTimeout);
      }
      this.longPollTimeout = Duration.ofSeconds(longPollTimeout.toSeconds());
      return this;
    }

    /** After how long without an answer from Sluice the provider reports STALE; default 30 s. */
    public Builder staleAfter(Duration staleAfter) {
      this.staleAfter = positive(staleAfter, "staleAfter");
      return this;
    }

    /** The timeout of a plain request (a long-poll gets this on top of its wait); default 10 s. */
    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = positive(requestTimeout, "requestTimeout");
      return this;
    }

    /** The HTTP client to use; by default one of its own (HTTP/1.1). */
    public Builder httpClient(HttpClient httpClient) {
      this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
      return this;
    }

    public SluiceProvider build() {
      return new SluiceProvider(this);
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
      return d;
    }
  }
}
