package dev.sluice.sampleapp;

import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.FeatureProvider;
import dev.openfeature.sdk.FlagEvaluationDetails;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.sluice.flags.openfeature.SluiceProvider;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A checkout, guarded by the feature flag {@value #FLAG}: {@code GET /checkout?user=U} answers the
 * new checkout or the classic one, as Sluice's flag decides for that user — evaluated in this
 * process through the OpenFeature provider, from the flag set it keeps in step with Sluice. Without
 * a provider (no {@code SLUICE_FLAGS_URL}), everyone gets the classic checkout: the flag's code
 * default.
 */
final class Checkout implements AutoCloseable {

  static final String FLAG = "new-checkout";

  private static final AtomicInteger DOMAINS = new AtomicInteger();

  private final Client client;
  private final FeatureProvider provider;

  private Checkout(FeatureProvider provider, boolean waitUntilReady) {
    this.provider = provider;
    if (provider == null) {
      this.client = null;
      return;
    }
    // A domain of its own, so two apps in one JVM (tests) keep their own providers.
    String domain = "sample-app-" + DOMAINS.incrementAndGet();
    if (waitUntilReady) {
      OpenFeatureAPI.getInstance().setProviderAndWait(domain, provider);
    } else {
      // A Sluice that is down must not keep the app from starting; until the provider is ready,
      // evaluations answer the code default.
      OpenFeatureAPI.getInstance().setProvider(domain, provider);
    }
    this.client = OpenFeatureAPI.getInstance().getClient(domain);
  }

  /**
   * Through {@code provider}, once it is ready (it must be able to initialize); null: no flags, the
   * classic checkout for everyone.
   */
  static Checkout with(FeatureProvider provider) {
    return new Checkout(provider, true);
  }

  /**
   * From the environment: {@code SLUICE_FLAGS_URL} (Sluice's base URL) and, when its API needs one,
   * {@code SLUICE_FLAGS_TOKEN}. A Sluice that is down at start does not stop the app: the provider
   * keeps trying and the code default applies meanwhile.
   */
  static Checkout fromEnvironment() {
    String url = System.getenv("SLUICE_FLAGS_URL");
    if (url == null || url.isBlank()) {
      return new Checkout(null, false);
    }
    SluiceProvider.Builder builder =
        SluiceProvider.builder(url.strip()).initTimeout(Duration.ofSeconds(5));
    String token = System.getenv("SLUICE_FLAGS_TOKEN");
    if (token != null && !token.isBlank()) {
      builder.token(token.strip());
    }
    return new Checkout(builder.build(), false);
  }

  /** The OpenFeature client this app evaluates flags with; null without flags. */
  Client client() {
    return client;
  }

  /** The checkout {@code user} gets, and why. */
  Map<String, Object> decide(String user) {
    Map<String, Object> body = new LinkedHashMap<>();
    if (client == null) {
      body.put("checkout", "classic");
      body.put("reason", "no flags configured");
      return body;
    }
    FlagEvaluationDetails<Boolean> details =
        client.getBooleanDetails(FLAG, false, new ImmutableContext(user));
    body.put("checkout", Boolean.TRUE.equals(details.getValue()) ? "new" : "classic");
    body.put("variant", details.getVariant());
    body.put("reason", details.getReason());
    if (details.getErrorCode() != null) {
      body.put("errorCode", details.getErrorCode().name());
    }
    return body;
  }

  @Override
  public void close() {
    if (provider != null) {
      provider.shutdown();
    }
  }
}
