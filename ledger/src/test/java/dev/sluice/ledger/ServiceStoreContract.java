package dev.sluice.ledger;

import static dev.sluice.ledger.LedgerFixtures.service;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.model.IntOrPercent;
import dev.sluice.model.ServiceDefinition;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Service definitions ({@link ServiceStore}). */
abstract class ServiceStoreContract extends LedgerContract {

  @Test
  void serviceDefinitionsRoundTripWithNestedSettingsAndDurations() {
    ServiceDefinition checkout = service("checkout", "web-1", "web-2");

    assertThat(ledger.putService(checkout, "alice")).isTrue();

    assertThat(ledger.service("checkout")).contains(checkout);
    assertThat(ledger.service("checkout").orElseThrow().rolling().batchSize())
        .isEqualTo(IntOrPercent.percent(25));
    assertThat(ledger.service("checkout").orElseThrow().healthCheck().interval())
        .isEqualTo(Duration.ofMillis(1500));
    assertThat(ledger.service("missing")).isEmpty();
  }

  @Test
  void puttingAServiceAgainReplacesItsDefinition() {
    ledger.putService(service("checkout", "web-1"), "alice");
    ledger.putService(service("billing", "b-1"), "alice");
    ServiceDefinition bigger = service("checkout", "web-1", "web-2", "web-3");

    assertThat(ledger.putService(bigger, "bob")).isFalse();

    assertThat(ledger.service("checkout")).contains(bigger);
    assertThat(ledger.services())
        .extracting(ServiceDefinition::name)
        .containsExactly("billing", "checkout");
  }
}
