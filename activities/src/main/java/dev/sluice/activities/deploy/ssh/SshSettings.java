package dev.sluice.activities.deploy.ssh;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.Settings;
import dev.sluice.activities.deploy.host.HostSettings;
import dev.sluice.model.ProviderRef;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Settings of the {@code ssh} deployer, read from its {@link ProviderRef}. Secrets are named here,
 * never held: the key's passphrase comes from an environment variable or a file of the worker, read
 * when a connection is made.
 *
 * <ul>
 *   <li>{@code user} (required): the login on every target
 *   <li>{@code port} (default 22): the SSH port of every target (the target's own port is the
 *       service's)
 *   <li>{@code identityFile}: the private key (OpenSSH or PEM format); {@code passphraseEnv} or
 *       {@code passphraseFile} names where its passphrase is
 *   <li>{@code agent} (default false): also offer the keys of the SSH agent at {@code agentSocket}
 *       (default {@code $SSH_AUTH_SOCK}); an identity file, the agent or both
 *   <li>{@code knownHosts} (default {@code ~/.ssh/known_hosts} of the worker's user): the host keys
 *       a target must present
 *   <li>{@code hostKeys} (default {@code strict}): {@code strict} refuses a host not in {@code
 *       knownHosts}; {@code accept-new} trusts an unknown host's key on first use and adds it. A
 *       changed key is refused either way.
 *   <li>{@code jumpHost}: {@code [user@]host[:port]} to reach the targets through; its key is
 *       checked against the same {@code knownHosts}
 *   <li>{@code connectTimeout} (default 10s)
 *   <li>{@code stateDir} (default {@code .sluice-deploy}, relative to the login's home)
 *   <li>the settings every host deployer shares ({@link HostSettings}: {@code commandTimeout},
 *       {@code stateDir}, {@code outputLimit}, {@code redact}, {@code template}); the key's
 *       passphrase is masked in the output too
 * </ul>
 */
record SshSettings(
    String user,
    int port,
    Path identityFile,
    String passphraseEnv,
    Path passphraseFile,
    boolean agent,
    String agentSocket,
    Path knownHosts,
    boolean acceptNewHostKeys,
    String jumpHost,
    Duration connectTimeout,
    HostSettings host) {

  static final String OWNER = "ssh deployer";
  private static final Pattern JUMP_HOST =
      Pattern.compile("(?:[A-Za-z0-9._-]+@)?[A-Za-z0-9._-]+(?::[0-9]{1,5})?");

  private static final Set<String> KEYS =
      HostSettings.keysWith(
          "user",
          "port",
          "identityFile",
          "passphraseEnv",
          "passphraseFile",
          "agent",
          "agentSocket",
          "knownHosts",
          "hostKeys",
          "jumpHost",
          "connectTimeout");

  static SshSettings from(ProviderRef ref) {
    Settings settings = new Settings(OWNER, ref.settings());
    settings.refuseUnknown(KEYS);
    String identity = settings.string("identityFile", null);
    boolean agent = settings.bool("agent", false);
    if (identity == null && !agent) {
      throw new ConfigurationException(
          OWNER + ": give 'identityFile' (a private key on the worker) or 'agent': true");
    }
    String passphraseFile = settings.string("passphraseFile", null);
    String hostKeys = settings.string("hostKeys", "strict");
    if (!hostKeys.equals("strict") && !hostKeys.equals("accept-new")) {
      throw new ConfigurationException(
          OWNER + ": setting 'hostKeys' must be strict or accept-new, got \"" + hostKeys + "\"");
    }
    String jumpHost = settings.string("jumpHost", null);
    if (jumpHost != null && !JUMP_HOST.matcher(jumpHost).matches()) {
      throw new ConfigurationException(
          OWNER
              + ": setting 'jumpHost' must look like [user@]host[:port], got \""
              + jumpHost
              + "\"");
    }
    if (jumpHost != null && !jumpHost.contains("@")) {
      jumpHost = settings.requiredString("user") + "@" + jumpHost;
    }
    int port = settings.integer("port", 22);
    if (port < 1 || port > 65535) {
      throw new ConfigurationException(OWNER + ": setting 'port' must be 1 to 65535");
    }
    HostSettings host = HostSettings.from(settings, ".sluice-deploy", 65536);
    return new SshSettings(
        settings.requiredString("user"),
        port,
        identity == null ? null : expand(identity),
        settings.string("passphraseEnv", null),
        passphraseFile == null ? null : expand(passphraseFile),
        agent,
        settings.string("agentSocket", null),
        expand(settings.string("knownHosts", "~/.ssh/known_hosts")),
        hostKeys.equals("accept-new"),
        jumpHost,
        settings.duration("connectTimeout", Duration.ofSeconds(10)),
        host);
  }

  /** A path of the worker, {@code ~/} meaning its user's home. */
  private static Path expand(String path) {
    if (path.equals("~") || path.startsWith("~/")) {
      return Path.of(System.getProperty("user.home"), path.substring(1)).normalize();
    }
    return Path.of(path).toAbsolutePath().normalize();
  }
}
