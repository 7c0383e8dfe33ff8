package dev.sluice.api;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;

/** {@link ApiFixture} for tests outside this package. */
public final class ApiFixtureAccess {

  private ApiFixtureAccess() {}

  public static DropwizardAppExtension<SluiceConfiguration> app(ConfigOverride... extra) {
    return ApiFixture.app(extra);
  }
}
