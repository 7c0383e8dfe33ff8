package dev.sluice.api.services;

import dev.sluice.activities.ProviderRegistry;
import dev.sluice.api.common.Problems;
import dev.sluice.api.services.ServiceSpec.HealthCheckSpecBody;
import dev.sluice.model.HealthCheckSpec;
import java.time.Duration;

/** The health check block from the wire, checked; the defaults when none is given. */
final class HealthCheckSpecs {

  private final ProviderRegistry providers;

  HealthCheckSpecs(ProviderRegistry providers) {
    this.providers = providers;
  }

  HealthCheckSpec healthCheck(HealthCheckSpecBody body, Problems problems) {
    if (body == null) {
      return HealthCheckSpec.DEFAULT;
    }
    if (body.type() != null && !providers.healthCheckTypes().contains(body.type())) {
      problems.add(
          "healthCheck.type",
          "unknown type \"" + body.type() + "\"; known types: " + providers.healthCheckTypes());
    }
    if (body.path() != null && !body.path().startsWith("/")) {
      problems.add("healthCheck.path", "must start with /");
    }
    if (body.expectedStatus() != null
        && (body.expectedStatus() < 100 || body.expectedStatus() > 599)) {
      problems.add("healthCheck.expectedStatus", "must be an HTTP status between 100 and 599");
    }
    if (body.consecutiveSuccesses() != null && body.consecutiveSuccesses() < 1) {
      problems.add("healthCheck.consecutiveSuccesses", "must be at least 1");
    }
    if (body.jsonValue() != null && body.jsonField() == null) {
      problems.add("healthCheck.jsonValue", "needs healthCheck.jsonField");
    }
    Duration interval = problems.duration("healthCheck.interval", body.interval());
    Duration timeout = problems.duration("healthCheck.timeout", body.timeout());
    Duration requestTimeout =
        problems.duration("healthCheck.requestTimeout", body.requestTimeout());
    return new HealthCheckSpec(
        body.type(),
        body.path(),
        body.expectedStatus(),
        body.jsonField(),
        body.jsonValue(),
        body.consecutiveSuccesses(),
        interval,
        timeout,
        requestTimeout);
  }
}
