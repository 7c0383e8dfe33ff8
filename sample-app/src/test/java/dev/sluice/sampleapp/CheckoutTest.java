package dev.sluice.sampleapp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.flags.openfeature.SluiceProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The flag-guarded checkout: the flag decides per user, and no flags means the classic one. */
class CheckoutTest {

  static final String FLAGS =
      "{\"flags\": {\"new-checkout\": {\"state\": \"ENABLED\","
          + " \"variants\": {\"on\": true, \"off\": false}, \"defaultVariant\": \"off\","
          + " \"targeting\": {\"if\": [{\"ends_with\": [{\"var\": \"targetingKey\"},"
          + " \"@example.com\"]}, \"on\"]}}}}";

  static SampleAppConfig config() {
    return new SampleAppConfig(
        "127.0.0.1", 0, "2.0.0", "t1", Behavior.WELL, Duration.ZERO, Duration.ofSeconds(5));
  }

  static String get(SampleApp app, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  @Test
  void theFlagDecidesWhichCheckoutEachUserGets() throws Exception {
    try (SampleApp app =
        SampleApp.start(config(), Checkout.with(SluiceProvider.ofDocument(FLAGS)))) {
      assertThat(get(app, "/checkout?user=kim@example.com"))
          .contains("\"checkout\":\"new\"")
          .contains("\"reason\":\"TARGETING_MATCH\"");
      assertThat(get(app, "/checkout?user=lee@elsewhere.org"))
          .contains("\"checkout\":\"classic\"")
          .contains("\"reason\":\"DEFAULT\"");
    }
  }

  @Test
  void withoutFlagsEveryoneGetsTheClassicCheckout() throws Exception {
    try (SampleApp app = SampleApp.start(config(), Checkout.with(null))) {
      assertThat(get(app, "/checkout?user=kim@example.com"))
          .contains("\"checkout\":\"classic\"")
          .contains("no flags configured");
    }
  }
}
