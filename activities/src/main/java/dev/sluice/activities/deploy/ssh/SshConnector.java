package dev.sluice.activities.deploy.ssh;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.deploy.host.BoundedOutput;
import dev.sluice.activities.deploy.host.CommandResult;
import dev.sluice.activities.deploy.host.HostShell;
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
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.future.CancelOption;
import org.apache.sshd.common.future.VerifiableFuture;
import org.apache.sshd.common.future.WaitableFuture;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.core.CoreModuleProperties;

/**
 * Logs in to targets and runs commands there, over one MINA SSHD client per deployer (started on
 * first use). Keys and the passphrase are read from the worker's files and environment when the
 * client starts, never earlier and never into anything that is stored. Only public-key
 * authentication is offered, and the user's {@code ~/.ssh/config} is not read: the settings say
 * everything.
 */
final class SshConnector implements HostShell, AutoCloseable {

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
  @Override
  public synchronized List<String> secrets() {
    return passphrase == null ? List.of() : List.of(passphrase);
  }

  /**
   * A logged-in session to {@code target} (through the jump host when one is set), heartbeating
   * every second while it waits.
   *
   * @throws HostRefusedException the host's key is unknown or changed, or it refused every key
   * @throws IOException the host could not be reached, or the connection dropped (worth a retry)
   */
  @Override
  public Session open(Target target, Heartbeat heartbeat) throws IOException {
    ClientSession session = login(target, heartbeat);
    return new Session() {
      @Override
      public CommandResult run(String commandLine, Duration deadline, Heartbeat beats, String what)
          throws IOException {
        return SshConnector.this.run(session, commandLine, deadline, beats, what);
      }

      @Override
      public void close() throws IOException {
        session.close();
      }
    };
  }

  /** {@code user@host:port}. */
  @Override
  public String where(Target target) {
    return settings.user() + "@" + target.host() + ":" + settings.port();
  }

  private ClientSession login(Target target, Heartbeat heartbeat) throws IOException {
    SshClient ssh = client();
    String address = target.host() + ":" + settings.port();
    HostConfigEntry entry =
        new HostConfigEntry(target.host(), target.host(), settings.port(), settings.user());
    if (settings.jumpHost() != null) {
      entry.setProxyJump(settings.jumpHost());
    }
    ClientSession session;
    try {
      session =
          await(ssh.connect(entry, null, null), heartbeat, "connecting to " + address).getSession();
    } catch (IOException e) {
      // Through a jump host, the jump host's own refusals surface here.
      String where = settings.jumpHost() == null ? address : jumpAddress();
      Optional<String> refusal =
          disconnectCode(e) == SshConstants.SSH2_DISCONNECT_HOST_KEY_NOT_VERIFIABLE
              ? hostKeys.refusal(where).or(() -> hostKeys.refusal(address))
              : Optional.empty();
      throw refusedOr(e, refusal, where, "cannot connect to " + address);
    }
    try {
      await(session.auth(), heartbeat, "logging in to " + address);
      return session;
    } catch (IOException e) {
      // The refusal kept on the session, or — when the session closed first and lost it — the one
      // kept by address, for a host-key failure only.
      Optional<String> refusal =
          hostKeys
              .refusal(session)
              .or(
                  () ->
                      disconnectCode(e) == SshConstants.SSH2_DISCONNECT_HOST_KEY_NOT_VERIFIABLE
                          ? hostKeys.refusal(address)
                          : Optional.empty());
      session.close(true);
      throw refusedOr(
          e, refusal, address, "lost the connection to " + address + " while logging in");
    }
  }

  /**
   * {@code failure} as a {@link HostRefusedException} when SSH says the host refused (its key was
   * not accepted, or it accepted none of ours), otherwise as a retryable I/O error.
   */
  private IOException refusedOr(
      IOException failure, Optional<String> refusal, String where, String otherwise) {
    int code = disconnectCode(failure);
    if (refusal.isPresent() || code == SshConstants.SSH2_DISCONNECT_HOST_KEY_NOT_VERIFIABLE) {
      throw new HostRefusedException(
          SshSettings.OWNER
              + ": "
              + refusal.orElse(
                  "host "
                      + where
                      + " presented a key that "
                      + settings.knownHosts()
                      + " does not accept"));
    }
    String text = String.valueOf(messages(failure));
    if (code == SshConstants.SSH2_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE
        || text.contains("No more authentication methods")
        || text.contains("Too many authentication failures")) {
      throw new HostRefusedException(
          SshSettings.OWNER
              + ": host "
              + where
              + " refused user "
              + userAt(where)
              + " with "
              + (offered.isEmpty() ? "the agent's keys" : String.join(", ", offered))
              + (settings.agent() && !offered.isEmpty() ? " and the agent's keys" : "")
              + " (is the public key in that user's authorized_keys?)");
    }
    return new IOException(otherwise + ": " + text, failure);
  }

  private String userAt(String where) {
    if (settings.jumpHost() != null && where.equals(jumpAddress())) {
      return settings.jumpHost().substring(0, settings.jumpHost().indexOf('@'));
    }
    return settings.user();
  }

  private static int disconnectCode(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SshException ssh && ssh.getDisconnectCode() != 0) {
        return ssh.getDisconnectCode();
      }
    }
    return 0;
  }

  private static String messages(Throwable failure) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t.getMessage() != null && text.indexOf(t.getMessage()) < 0) {
        text.append(text.isEmpty() ? "" : ": ").append(t.getMessage());
      }
    }
    return text.isEmpty() ? failure.getClass().getSimpleName() : text.toString();
  }

  /**
   * Waits for {@code future} up to the connect timeout, heartbeating every second; a future that is
   * still open then is cancelled (a late session is closed, not leaked).
   */
  private <F extends VerifiableFuture<F> & WaitableFuture> F await(
      F future, Heartbeat heartbeat, String progress) throws IOException {
    long deadline = System.nanoTime() + settings.connectTimeout().toNanos();
    while (!future.isDone() && System.nanoTime() < deadline) {
      future.await(BEAT);
      heartbeat.beat(progress);
    }
    return future.verify(1, CancelOption.CANCEL_ON_TIMEOUT);
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
    BoundedOutput output = new BoundedOutput(Math.max(256, settings.host().outputLimit() * 2));
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
      if (status == null && channel.getExitSignal() != null) {
        return new CommandResult(
            255,
            output.text() + "\nsluice: the command was killed by signal " + channel.getExitSignal(),
            false);
      }
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
    checkKnownHosts();
    List<KeyPair> keys = identities();
    SshClient ssh = SshClient.setUpDefaultClient();
    // Keepalives: a link that died without a reset ends the session instead of hanging it.
    CoreModuleProperties.HEARTBEAT_INTERVAL.set(ssh, Duration.ofSeconds(5));
    CoreModuleProperties.HEARTBEAT_NO_REPLY_MAX.set(ssh, 6);
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

  private void checkKnownHosts() {
    Path file = settings.knownHosts();
    if (!settings.acceptNewHostKeys() && !Files.isRegularFile(file)) {
      throw new ConfigurationException(
          SshSettings.OWNER
              + ": the known_hosts file "
              + file
              + " does not exist (hostKeys is strict: every host must be listed there)");
    }
    Path dir = file.toAbsolutePath().getParent();
    if (settings.acceptNewHostKeys() && (dir == null || !Files.isDirectory(dir))) {
      throw new ConfigurationException(
          SshSettings.OWNER
              + ": the known_hosts file "
              + file
              + " cannot be created: its directory does not exist");
    }
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
