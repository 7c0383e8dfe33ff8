package dev.sluice.activities.aws;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.Settings;
import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

/**
 * Where and as whom an AWS adapter calls AWS, read from its settings, references only: {@code
 * region} (required), {@code endpoint} (optional override, how tests reach moto) and {@code
 * profile} (optional; otherwise the SDK's default credentials chain: environment, system
 * properties, the shared files' default profile, web identity, container and instance roles). Every
 * client it builds has the same HTTP client (URL connection: 5 s to connect, 30 s per read), the
 * SDK's standard retry strategy (throttling, 5xx and connection failures retried with exponential
 * back-off and jitter) and a 60 s limit per call.
 */
public record AwsConnection(String region, URI endpoint, String profile) {

  /**
   * Reads {@code region}, {@code endpoint} and {@code profile} from {@code settings}.
   *
   * @throws ConfigurationException when the region is missing or the endpoint is not a URL
   */
  public static AwsConnection from(Settings settings, String owner) {
    String endpoint = blankToNull(settings.string("endpoint", null));
    URI endpointUri;
    try {
      endpointUri = endpoint == null ? null : URI.create(endpoint);
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(
          owner + ": setting 'endpoint' is not a URL: " + e.getMessage());
    }
    return new AwsConnection(
        settings.requiredString("region"),
        endpointUri,
        blankToNull(settings.string("profile", null)));
  }

  /** Configures {@code builder} for this connection and builds its client; connects to nothing. */
  public <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C build(B builder) {
    AwsCredentialsProvider credentials =
        profile == null
            ? DefaultCredentialsProvider.builder().build()
            : ProfileCredentialsProvider.builder().profileName(profile).build();
    builder
        .region(Region.of(region))
        .credentialsProvider(credentials)
        .httpClientBuilder(
            UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(5))
                .socketTimeout(Duration.ofSeconds(30)))
        .overrideConfiguration(
            c -> c.retryStrategy(RetryMode.STANDARD).apiCallTimeout(Duration.ofSeconds(60)));
    if (endpoint != null) {
      builder.endpointOverride(endpoint);
    }
    return builder.build();
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
