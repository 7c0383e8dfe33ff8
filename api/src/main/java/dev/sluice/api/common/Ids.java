package dev.sluice.api.common;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Ids the API hands out, request fingerprints, and what an {@code Idempotency-Key} may be. */
public final class Ids {

  /** Why a key is refused, when {@link #badIdempotencyKey} says it is. */
  public static final String IDEMPOTENCY_KEY_RULE =
      "must be 1 to 200 printable ASCII characters without spaces";

  private static final SecureRandom RANDOM = new SecureRandom();

  private Ids() {}

  /** {@code prefix} and 12 random hex digits: {@code dep-3b455ef85b8a}. */
  public static String random(String prefix) {
    byte[] bytes = new byte[6];
    RANDOM.nextBytes(bytes);
    return prefix + HexFormat.of().formatHex(bytes);
  }

  /** The SHA-256 of {@code text} (UTF-8), in hex. */
  public static String sha256Hex(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Whether a client's {@code Idempotency-Key} (given, not null) breaks {@link
   * #IDEMPOTENCY_KEY_RULE}.
   */
  public static boolean badIdempotencyKey(String key) {
    return key.isBlank() || key.length() > 200 || !key.chars().allMatch(c -> c > 32 && c < 127);
  }
}
