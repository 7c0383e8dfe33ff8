package dev.sluice.flags.internal;

/**
 * MurmurHash3 x86_32 (Austin Appleby's reference {@code MurmurHash3_x86_32}), seed 0 unless given,
 * as flagd hashes {@code fractional} bucketing values.
 *
 * <p>{@link #hash(byte[], CharSequence)} hashes the UTF-8 bytes of a prefix followed by a string
 * without building the concatenation or its byte array: the evaluation hot path hashes the
 * precomputed bytes of the flag key followed by the targeting key and allocates nothing.
 */
public final class Murmur3 {

  private static final int C1 = 0xcc9e2d51;
  private static final int C2 = 0x1b873593;
  private static final byte[] EMPTY = new byte[0];

  private Murmur3() {}

  /** The hash of {@code data}, seed 0. */
  public static int hash(byte[] data) {
    return hash(data, 0, "");
  }

  /** The hash of the UTF-8 bytes of {@code text}, seed 0. */
  public static int hash(CharSequence text) {
    return hash(EMPTY, 0, text);
  }

  /** The hash of {@code prefix} followed by the UTF-8 bytes of {@code suffix}, seed 0. */
  public static int hash(byte[] prefix, CharSequence suffix) {
    return hash(prefix, 0, suffix);
  }

  /**
   * The hash of {@code prefix} followed by the UTF-8 bytes of {@code suffix}. Unpaired surrogates
   * encode as '?', as {@link String#getBytes(java.nio.charset.Charset)} does.
   */
  public static int hash(byte[] prefix, int seed, CharSequence suffix) {
    int h1 = seed;
    int k1 = 0; // the block being filled, little-endian
    int filled = 0; // bytes in k1
    int length = prefix.length;

    for (byte b : prefix) {
      k1 |= (b & 0xff) << (filled << 3);
      if (++filled == 4) {
        h1 = mixH1(h1, k1);
        k1 = 0;
        filled = 0;
      }
    }

    for (int i = 0, n = suffix.length(); i < n; i++) {
      char c = suffix.charAt(i);
      if (c < 0x80) {
        // ASCII, the usual targeting key: one byte, no encoding loop.
        k1 |= c << (filled << 3);
        length++;
        if (++filled == 4) {
          h1 = mixH1(h1, k1);
          k1 = 0;
          filled = 0;
        }
        continue;
      }
      int encoded; // up to 4 UTF-8 bytes, first byte lowest
      int count;
      if (c < 0x800) {
        encoded = (0xc0 | (c >> 6)) | ((0x80 | (c & 0x3f)) << 8);
        count = 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < n
          && Character.isLowSurrogate(suffix.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, suffix.charAt(++i));
        encoded =
            (0xf0 | (cp >> 18))
                | ((0x80 | ((cp >> 12) & 0x3f)) << 8)
                | ((0x80 | ((cp >> 6) & 0x3f)) << 16)
                | ((0x80 | (cp & 0x3f)) << 24);
        count = 4;
      } else if (Character.isSurrogate(c)) {
        encoded = '?';
        count = 1;
      } else {
        encoded =
            (0xe0 | (c >> 12)) | ((0x80 | ((c >> 6) & 0x3f)) << 8) | ((0x80 | (c & 0x3f)) << 16);
        count = 3;
      }
      length += count;
      for (int j = 0; j < count; j++) {
        k1 |= ((encoded >>> (j << 3)) & 0xff) << (filled << 3);
        if (++filled == 4) {
          h1 = mixH1(h1, k1);
          k1 = 0;
          filled = 0;
        }
      }
    }

    if (filled > 0) {
      h1 ^= mixK1(k1);
    }
    h1 ^= length;
    return fmix32(h1);
  }

  /**
   * flagd's bucket for a hash: {@code (uint32(hash) * totalWeight) >> 32}, in {@code [0,
   * totalWeight)}.
   */
  public static long bucket(int hash, int totalWeight) {
    return ((hash & 0xffffffffL) * totalWeight) >>> 32;
  }

  private static int mixK1(int k1) {
    k1 *= C1;
    k1 = Integer.rotateLeft(k1, 15);
    return k1 * C2;
  }

  private static int mixH1(int h1, int k1) {
    h1 ^= mixK1(k1);
    h1 = Integer.rotateLeft(h1, 13);
    return h1 * 5 + 0xe6546b64;
  }

  private static int fmix32(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }
}
