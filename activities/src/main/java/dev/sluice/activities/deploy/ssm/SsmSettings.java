package dev.sluice.activities.deploy.ssm;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.Settings;
import dev.sluice.activities.aws.AwsConnection;
import dev.sluice.activities.deploy.host.HostSettings;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
import java.time.Duration;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Settings of the {@code ssm} deployer, read from its {@link ProviderRef}; references only, never
 * credentials.
 *
 * <ul>
 *   <li>{@code region} (required), {@code endpoint} (optional override, how tests reach moto),
 *       {@code profile} (optional; otherwise the SDK's default credentials chain): {@link
 *       AwsConnection}
 *   <li>{@code instanceIdFrom} (default {@code id}): which field of a target holds its managed
 *       node's id ({@code i-…} for EC2, {@code mi-…} for hybrid nodes): {@code id} (how the elbv2
 *       router and EC2 discovery name instances) or {@code host}
 *   <li>{@code documentName} (default {@code AWS-RunShellScript}): a Command document that takes
 *       the parameters {@code commands} and {@code executionTimeout} as AWS-RunShellScript does
 *   <li>{@code deliveryTimeout} (default 30s, 30s to 2m): how long Run Command may take to hand the
 *       command to the instance's agent (SendCommand's {@code TimeoutSeconds})
 *   <li>{@code pollInterval} (default 1s) and {@code maxPollInterval} (default 5s, at most 8s so
 *       heartbeats keep coming): how often {@code GetCommandInvocation} is asked, backing off by
 *       half each time
 *   <li>{@code stateDir} (default {@code /var/lib/sluice-deploy}): must be absolute, since Run
 *       Command gives each command a new working directory and no reliable {@code $HOME}
 *   <li>{@code outputLimit} (default 2048, at most 24000: what GetCommandInvocation returns of a
 *       command's output), {@code commandTimeout}, {@code redact}, {@code template}: shared with
 *       the {@code ssh} deployer ({@link HostSettings})
 * </ul>
 */
record SsmSettings(
    AwsConnection connection,
    boolean instanceIdFromHost,
    String documentName,
    Duration deliveryTimeout,
    Duration pollInterval,
    Duration maxPollInterval,
    HostSettings host) {

  static final String OWNER = "ssm deployer";
  static final String DEFAULT_DOCUMENT = "AWS-RunShellScript";
  static final String DEFAULT_STATE_DIR = "/var/lib/sluice-deploy";

  /** GetCommandInvocation returns the first 24,000 characters of a command's output. */
  static final int MAX_OUTPUT = 24_000;

  /** Run Command's managed node ids: EC2 instances and hybrid (on-premises) nodes. */
  static final Pattern INSTANCE_ID = Pattern.compile("m?i-[0-9a-f]{8,17}");

  private static final Pattern DOCUMENT = Pattern.compile("[A-Za-z0-9_.:/-]{3,128}");
  private static final Duration MIN_DELIVERY = Duration.ofSeconds(30);
  private static final Duration MAX_DELIVERY = Duration.ofMinutes(2);
  private static final Duration MAX_POLL = Duration.ofSeconds(8);

  private static final Set<String> KEYS =
      HostSettings.keysWith(
          "region",
          "endpoint",
          "profile",
          "instanceIdFrom",
          "documentName",
          "deliveryTimeout",
          "pollInterval",
          "maxPollInterval");

  static SsmSettings from(ProviderRef ref) {
    Settings settings = new Settings(OWNER, ref.settings());
    settings.refuseUnknown(KEYS);
    String from = settings.string("instanceIdFrom", "id");
    if (!from.equals("id") && !from.equals("host")) {
      throw new ConfigurationException(
          OWNER + ": setting 'instanceIdFrom' must be id or host, got \"" + from + "\"");
    }
    String document = settings.string("documentName", DEFAULT_DOCUMENT);
    if (!DOCUMENT.matcher(document).matches()) {
      throw new ConfigurationException(
          OWNER + ": setting 'documentName' is not a document name or ARN: \"" + document + "\"");
    }
    Duration delivery = settings.duration("deliveryTimeout", MIN_DELIVERY);
    if (delivery.compareTo(MIN_DELIVERY) < 0 || delivery.compareTo(MAX_DELIVERY) > 0) {
      throw new ConfigurationException(
          OWNER + ": setting 'deliveryTimeout' must be 30s to 2m (Run Command's minimum is 30s)");
    }
    Duration poll = settings.duration("pollInterval", Duration.ofSeconds(1));
    Duration maxPoll = settings.duration("maxPollInterval", Duration.ofSeconds(5));
    if (poll.isNegative() || poll.isZero() || poll.compareTo(maxPoll) > 0) {
      throw new ConfigurationException(
          OWNER + ": setting 'pollInterval' must be above 0 and at most 'maxPollInterval'");
    }
    if (maxPoll.compareTo(MAX_POLL) > 0) {
      throw new ConfigurationException(
          OWNER + ": setting 'maxPollInterval' must be at most 8s (heartbeats are due every 10s)");
    }
    AwsConnection connection = AwsConnection.from(settings, OWNER);
    HostSettings host = HostSettings.from(settings, DEFAULT_STATE_DIR, MAX_OUTPUT);
    if (!host.stateDir().startsWith("/")) {
      throw new ConfigurationException(
          OWNER
              + ": setting 'stateDir' must be an absolute path, got \""
              + host.stateDir()
              + "\" (Run Command gives each command a new working directory and no reliable"
              + " $HOME)");
    }
    return new SsmSettings(
        connection, from.equals("host"), document, delivery, poll, maxPoll, host);
  }

  /**
   * The managed node id of {@code target}, from the field {@code instanceIdFrom} names.
   *
   * @throws ConfigurationException when that field holds no instance id
   */
  String instanceId(Target target) {
    String id = instanceIdFromHost ? target.host() : target.id();
    if (id == null || !INSTANCE_ID.matcher(id).matches()) {
      throw new ConfigurationException(
          OWNER
              + ": target '"
              + target.id()
              + "' has no instance id in its "
              + (instanceIdFromHost ? "host" : "id")
              + " (\""
              + id
              + "\" is not i-… or mi-…); setting 'instanceIdFrom' says which field holds it"
              + " (id or host)");
    }
    return id;
  }
}
