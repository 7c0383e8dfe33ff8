package dev.sluice.activities.deploy.ssh;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.model.Target;
import dev.sluice.ports.Heartbeat;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.config.hosts.HostConfigEntry;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.util.security.SecurityUtils;

/**
 * Logs in to targets and runs commands there, over one MINA SSHD client per deployer (started on
 * first use). Keys and the passphrase are read from the worker's files and environment when the
 * client starts, never earlier and never into anything that is stored. Only public-key
 * authentication is offered, and the user's {@code ~/.ssh/config} is not read: the settings say
 * everything.
 */
final class SshConnector implements AutoCloseable {

  /** What a command did: its exit status (-1 when it timed out) and the end of its output. */
  record CommandResult(int exitStatus, String output, boolean timedOut) {}

  private static final Duration BEAT = Duration.ofSeconds(1);

  private final SshSettings settings;
  private final HostKeyCheck hostKeys;
  private SshClient client;
  private List<String> offered = List.of();
  private String passphrase;

  SshConnector(SshSettings settings) {
    this.settings = settings;
    this.hostKeys = new HostKeyCheck(settings.knownHosts(), settings.acceptNewHostKeys());
  }

  /** The secret values this connector knows, to mask wherever a host echoes them. */
  synchronized List<String> secrets() {
    return passphrase == null ? List.of() : List.of(passphrase);
  }

  /**
   * A logged-in session to {@code target} (through the jump host when one is set).
   *
   * @throws HostRefusedException the host's key is unknown or changed, or it refused every key
   * @throws IOException the host could not be reached, or the connection dropped (worth a retry)
   */
  ClientSession open(Target target) throws IOException {
    SshClient ssh = client();
    String address = target.host() + ":" + settings.port();
    hostKeys.forget(address);
    HostConfigEntry entry =
        new HostConfigEntry(target.host(), target.host(), settings.port(), settings.user());
    if (settings.jumpHost() != null) {
      entry.setProxyJump(settings.jumpHost());
    }
    ClientSession session;
    try {
      session = ssh.connect(entry, null, null).verify(settings.connectTimeout()).getSession();
    } catch (IOException e) {
      throw refusedOr(address, new IOException("cannot connect to " + address + ": " + e, e));
    }
    try {
      session.auth().verify(settings.connectTimeout());
      return session;
    } catch (IOException e) {
      boolean open = session.isOpen();
      session.close(true);
      Optional<String> refusal = hostKeys.refusal(address);
      if (refusal.isPresent()) {
        throw new HostRefusedException(SshSettings.OWNER + ": " + refusal.get());
      }
      if (open && String.valueOf(e.getMessage()).contains("No more authentication methods")) {
        throw new HostRefusedException(
            SshSettings.OWNER
                + ": host "
                + address
                + " refused user "
                + settings.user()
                + " with "
                + (offered.isEmpty() ? "the agent's keys" : "key " + String.join(", ", offered))
                + (settings.agent() && !offered.isEmpty() ? " and the agent's keys" : "")
                + " (is the public key in that user's authorized_keys?)");
      }
      throw refusedOr(address, new IOException("lost the connection to " + address + ": " + e, e));
    }
  }

  private IOException refusedOr(String address, IOException e) {
    Optional<String> refusal = hostKeys.refusal(address);
    if (refusal.isEmpty() && settings.jumpHost() != null) {
      refusal = hostKeys.refusal(jumpAddress());
    }
    if (refusal.isPresent()) {
      throw new HostRefusedException(SshSettings.OWNER + ": " + refusal.get());
    }
    return e;
  }

  private String jumpAddress() {
    String hostPort = settings.jumpHost().substring(settings.jumpHost().indexOf('@') + 1);
    return hostPort.contains(":") ? hostPort : hostPort + ":22";
  }

  /**
   * Runs {@code command} (one command line, already quoted) and waits for it to end, heartbeating
   * every second with {@code progress}; gives up after {@code timeout}, closing the channel.
   */
  CommandResult run(
      ClientSession session, String command, Duration timeout, Heartbeat heartbeat, String progress)
      throws IOException {
    BoundedOutput output = new BoundedOutput(Math.max(256, settings.outputLimit() * 2));
    try (ChannelExec channel = session.createExecChannel(command)) {
      channel.setOut(output);
      channel.setErr(output);
      channel.open().verify(settings.connectTimeout());
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        Set<ClientChannelEvent> events =
            channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), BEAT);
        if (events.contains(ClientChannelEvent.CLOSED)) {
          break;
        }
        heartbeat.beat(progress);
        if (Thread.currentThread().isInterrupted()) {
          throw new InterruptedIOException("interrupted while " + progress);
        }
        if (System.nanoTime() > deadline) {
          channel.close(true);
          return new CommandResult(-1, output.text(), true);
        }
      }
      Integer status = channel.getExitStatus();
      if (status == null) {
        throw new IOException(
            "the connection to " + session.getConnectAddress() + " ended while " + progress);
      }
      return new CommandResult(status, output.text(), false);
    }
  }

  private synchronized SshClient client() {
    if (client != null) {
      return client;
    }
    List<KeyPair> keys = identities();
    SshClient ssh = SshClient.setUpDefaultClient();
    ssh.setServerKeyVerifier(hostKeys);
    ssh.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
    ssh.setKeyIdentityProvider(KeyIdentityProvider.wrapKeyPairs(keys));
    ssh.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
    ssh.setAgentFactory(settings.agent() ? new UnixSocketAgent.Factory(agentSocket()) : null);
    ssh.start();
    offered = keys.stream().map(k -> HostKeyCheck.describe(k.getPublic())).toList();
    client = ssh;
    return ssh;
  }

  private Path agentSocket() {
    String socket =
        settings.agentSocket() != null ? settings.agentSocket() : System.getenv("SSH_AUTH_SOCK");
    if (socket == null || socket.isBlank()) {
      throw new ConfigurationException(
          SshSettings.OWNER
              + ": 'agent' is true but neither 'agentSocket' nor SSH_AUTH_SOCK names the agent");
    }
    return Path.of(socket);
  }

  private List<KeyPair> identities() {
    Path file = settings.identityFile();
    if (file == null) {
      return List.of();
    }
    if (!Files.isReadable(file)) {
      throw new ConfigurationException(
          SshSettings.OWNER + ": the identity file " + file + " cannot be read");
    }
    passphrase = readPassphrase();
    FilePasswordProvider password =
        passphrase == null ? FilePasswordProvider.EMPTY : FilePasswordProvider.of(passphrase);
    List<KeyPair> keys = new ArrayList<>();
    try (InputStream in = Files.newInputStream(file)) {
      Iterable<KeyPair> loaded =
          SecurityUtils.loadKeyPairIdentities(
              null, NamedResource.ofName(file.toString()), in, password);
      if (loaded != null) {
        loaded.forEach(keys::add);
      }
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new ConfigurationException(
          SshSettings.OWNER
              + ": cannot load the key in "
              + file
              + (passphrase == null
                  ? " (if it is encrypted, name its passphrase with passphraseEnv or"
                      + " passphraseFile)"
                  : " with the passphrase given (wrong passphrase?)")
              + ": "
              + e.getMessage());
    }
    if (keys.isEmpty()) {
      throw new ConfigurationException(
          SshSettings.OWNER + ": the identity file " + file + " holds no private key");
    }
    return keys;
  }

  private String readPassphrase() {
    if (settings.passphraseEnv() != null) {
      String value = System.getenv(settings.passphraseEnv());
      if (value == null || value.isEmpty()) {
        throw new ConfigurationException(
            SshSettings.OWNER
                + ": the environment variable "
                + settings.passphraseEnv()
                + " (passphraseEnv) is not set on this worker");
      }
      return value;
    }
    if (settings.passphraseFile() != null) {
      try {
        return Files.readString(settings.passphraseFile(), StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw new ConfigurationException(
            SshSettings.OWNER
                + ": the passphrase file "
                + settings.passphraseFile()
                + " cannot be read");
      }
    }
    return null;
  }

  @Override
  public synchronized void close() {
    if (client != null) {
      client.stop();
      client = null;
    }
  }
}
