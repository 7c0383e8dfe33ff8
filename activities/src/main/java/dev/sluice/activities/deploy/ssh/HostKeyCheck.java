package dev.sluice.activities.deploy.ssh;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.util.net.SshdSocketAddress;

/**
 * Checks every host key against a {@code known_hosts} file, as OpenSSH's {@code
 * StrictHostKeyChecking} does: {@code yes} by default (an unknown host is refused), {@code
 * accept-new} when the settings say so (an unknown host's key is added to the file); a key that
 * differs from the listed one is always refused. Each refusal is remembered by address, so that the
 * failed connection can say which host presented which key.
 */
final class HostKeyCheck implements ServerKeyVerifier {

  private final Path knownHosts;
  private final KnownHostsServerKeyVerifier verifier;
  private final Map<String, String> refusals = new ConcurrentHashMap<>();

  HostKeyCheck(Path knownHosts, boolean acceptNew) {
    this.knownHosts = knownHosts;
    this.verifier =
        new KnownHostsServerKeyVerifier(
            (session, remote, key) -> {
              if (acceptNew) {
                return true;
              }
              refusals.put(
                  name(remote),
                  "host "
                      + name(remote)
                      + " presented "
                      + describe(key)
                      + ", which "
                      + knownHosts
                      + " does not list (hostKeys is strict: add the host's key to that file, or"
                      + " set hostKeys to accept-new to trust it on first use)");
              return false;
            },
            knownHosts);
    this.verifier.setModifiedServerKeyAcceptor(this::refuseModified);
  }

  private boolean refuseModified(
      ClientSession session,
      SocketAddress remote,
      KnownHostEntry entry,
      PublicKey expected,
      PublicKey actual) {
    refusals.put(
        name(remote),
        "host "
            + name(remote)
            + " presented "
            + describe(actual)
            + " but "
            + knownHosts
            + " lists "
            + describe(expected)
            + " for it: the host key has changed (a reinstalled host, or someone in between);"
            + " check it before you update the file");
    return false;
  }

  @Override
  public boolean verifyServerKey(ClientSession session, SocketAddress remote, PublicKey key) {
    return verifier.verifyServerKey(session, remote, key);
  }

  /** Why the host at {@code address} was refused, once; empty when it was not. */
  Optional<String> refusal(String address) {
    return Optional.ofNullable(refusals.remove(address));
  }

  /** Forgets an earlier refusal of {@code address} before connecting to it again. */
  void forget(String address) {
    refusals.remove(address);
  }

  /** {@code host:port}, the form {@link #refusal} is keyed by. */
  static String name(SocketAddress address) {
    if (address instanceof SshdSocketAddress sshd) {
      return sshd.getHostName() + ":" + sshd.getPort();
    }
    if (address instanceof InetSocketAddress inet) {
      return inet.getHostString() + ":" + inet.getPort();
    }
    return String.valueOf(address);
  }

  static String describe(PublicKey key) {
    return KeyUtils.getKeyType(key) + " key " + KeyUtils.getFingerPrint(key);
  }
}
