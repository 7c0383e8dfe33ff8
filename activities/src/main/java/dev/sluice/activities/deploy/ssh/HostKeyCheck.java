package dev.sluice.activities.deploy.ssh;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.util.net.SshdSocketAddress;

/**
 * Checks every host key against a {@code known_hosts} file, as OpenSSH's {@code
 * StrictHostKeyChecking} does: {@code yes} by default (an unknown host is refused), {@code
 * accept-new} when the settings say so (an unknown host's key is added to the file — and refused if
 * it cannot be added, so a key is never trusted without being remembered). A key that differs from
 * the listed one is always refused, and so is every key while the file cannot be read.
 *
 * <p>Each refusal is kept on its session (and by address, for a jump host's session, which the
 * caller never holds), so the failed connection can say which host presented which key.
 */
final class HostKeyCheck implements ServerKeyVerifier {

  private static final AttributeKey<String> REFUSAL = new AttributeKey<>();

  private final Path knownHosts;
  private final KnownHostsServerKeyVerifier verifier;
  private final Map<String, String> byAddress = new ConcurrentHashMap<>();

  HostKeyCheck(Path knownHosts, boolean acceptNew) {
    this.knownHosts = knownHosts;
    this.verifier =
        new Verifier(
            (session, remote, key) -> {
              if (!acceptNew) {
                refuse(
                    session,
                    remote,
                    presented(remote, key)
                        + ", which "
                        + knownHosts
                        + " does not list (hostKeys is strict: add the host's key to that file,"
                        + " or set hostKeys to accept-new to trust it on first use)");
              }
              return acceptNew;
            },
            knownHosts);
    this.verifier.setModifiedServerKeyAcceptor(this::refuseModified);
  }

  @Override
  public boolean verifyServerKey(ClientSession session, SocketAddress remote, PublicKey key) {
    boolean accepted = verifier.verifyServerKey(session, remote, key);
    // MINA accepts a new key it failed to write down; a refusal recorded on the way overrides it.
    return accepted && session.getAttribute(REFUSAL) == null;
  }

  /** Why {@code session} was refused; empty when it was not. */
  Optional<String> refusal(ClientSession session) {
    return Optional.ofNullable(session.getAttribute(REFUSAL));
  }

  /** Why the latest connection to {@code address} ({@code host:port}) was refused, if it was. */
  Optional<String> refusal(String address) {
    return Optional.ofNullable(byAddress.get(address));
  }

  private boolean refuseModified(
      ClientSession session,
      SocketAddress remote,
      KnownHostEntry entry,
      PublicKey expected,
      PublicKey actual) {
    refuse(
        session,
        remote,
        presented(remote, actual)
            + " but "
            + knownHosts
            + " lists "
            + describe(expected)
            + " for it: the host key has changed (a reinstalled host, or someone in between);"
            + " check it before you update the file");
    return false;
  }

  private void refuse(ClientSession session, SocketAddress remote, String why) {
    session.setAttribute(REFUSAL, why);
    byAddress.put(name(remote), why);
  }

  /** {@code host:port}, the form {@link #refusal(String)} is keyed by. */
  static String name(SocketAddress address) {
    if (address instanceof SshdSocketAddress sshd) {
      return sshd.getHostName() + ":" + sshd.getPort();
    }
    if (address instanceof InetSocketAddress inet) {
      return inet.getHostString() + ":" + inet.getPort();
    }
    return String.valueOf(address);
  }

  /** "host H:P presented TYPE key SHA256:…", how every refusal begins. */
  private static String presented(SocketAddress remote, PublicKey key) {
    return "host " + name(remote) + " presented " + describe(key);
  }

  static String describe(PublicKey key) {
    return KeyUtils.getKeyType(key) + " key " + KeyUtils.getFingerPrint(key);
  }

  /** MINA's verifier, refusing where it would log and carry on. */
  private final class Verifier extends KnownHostsServerKeyVerifier {

    Verifier(ServerKeyVerifier unknownHosts, Path file) {
      super(unknownHosts, file);
    }

    @Override
    protected void handleKnownHostsFileUpdateFailure(
        ClientSession session,
        SocketAddress remote,
        PublicKey key,
        Path file,
        Collection<HostEntryPair> current,
        Throwable reason) {
      refuse(
          session,
          remote,
          presented(remote, key)
              + ", which could not be added to "
              + file
              + " ("
              + reason
              + "): refused rather than trusted without being remembered");
    }

    @Override
    protected boolean acceptIncompleteHostKeys(
        ClientSession session, SocketAddress remote, PublicKey key, Throwable reason) {
      refuse(
          session,
          remote,
          presented(remote, key)
              + " and the known_hosts file "
              + knownHosts
              + " cannot be read ("
              + reason
              + ")");
      return false;
    }
  }
}
