package dev.sluice.api.auth;

import dev.sluice.ledger.Ledger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;

/**
 * Whose a presented secret is: a token of the configuration file (compared in constant time) or one
 * made over the API (found by its SHA-256 in the ledger, so a revocation holds at once).
 */
public final class TokenLookup {

  /** Secret → caller, from the configuration file. */
  private final Map<String, Caller> configured;

  /** Tokens made over the API; null: none. */
  private final Ledger ledger;

  public TokenLookup(Map<String, Caller> configured, Ledger ledger) {
    this.configured = Map.copyOf(configured);
    this.ledger = ledger;
  }

  /** Whether any token exists: then every call needs one. */
  public boolean any() {
    return !configured.isEmpty() || (ledger != null && ledger.anyWorkingToken());
  }

  /** The caller {@code Authorization: Bearer …} names, or null for none or an unknown secret. */
  public Caller bearer(String header) {
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return find(header.substring(7).trim());
  }

  /** The caller whose secret this is, or null. */
  public Caller find(String presented) {
    byte[] given = presented.getBytes(StandardCharsets.UTF_8);
    Caller found = null;
    for (Map.Entry<String, Caller> token : configured.entrySet()) {
      if (MessageDigest.isEqual(given, token.getKey().getBytes(StandardCharsets.UTF_8))) {
        found = token.getValue();
      }
    }
    if (found != null || ledger == null) {
      return found;
    }
    return ledger
        .tokenBySecretHash(sha256(presented))
        .map(
            t ->
                new Caller(
                    t.name(), Role.of(t.role()).orElse(Role.VIEWER), new HashSet<>(t.services())))
        .orElse(null);
  }

  /** The hex SHA-256 a token's secret is kept as. */
  public static String sha256(String secret) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
