package dev.sluice.flags.internal;

/**
 * MurmurHash3 x86_32 (Austin Appleby's reference {@code MurmurHash3_x86_32}), seed 0 unless given,
 * as flagd hashes {@code fractional} bucketing values.
 *
 * <p>{@link #hash(Prefix, CharSequence)} hashes the UTF-8 bytes of a prefix followed by a string
 * without building the concatenation or its byte array, and without re-reading the prefix: a {@link
 * Prefix} holds the hash's state after it. The evaluation hot path hashes the flag key's prefix
 * followed by the targeting key and allocates nothing. Runs of four ASCII characters (the usual
 * targeting key) are mixed as one block, wherever the block boundary falls.
 */
public final class Murmur3 {

  private static final int C1 = 0xcc9e2d51;
  private static final int C2 = 0x1b873593;
  private static final Prefix EMPTY = new Prefix(new byte[0], 0);

  private Murmur3() {}

  /**
   * The state of a hash after a fixed prefix: the mixed blocks, the bytes of the block not yet
   * full, and the length so far. Immutable; compute it once and hash many suffixes after it.
   */
  public static final class Prefix {
    private final int h1;
    private final int k1; // the block being filled, little-endian
    private final int filled; // bytes in k1
    private final int length;

    private Prefix(byte[] bytes, int seed) {
      int h = seed;
      int k = 0;
      int f = 0;
      for (byte b : bytes) {
        k |= (b & 0xff) << (f << 3);
        if (++f == 4) {
          h = mixH1(h, k);
          k = 0;
          f = 0;
        }
      }
      this.h1 = h;
      this.k1 = k;
      this.filled = f;
      this.length = bytes.length;
    }
  }

  /** The state after {@code bytes}, seed 0. */
  public static Prefix prefix(byte[] bytes) {
    return new Prefix(bytes, 0);
  }

  /** The hash of {@code data}, seed 0. */
  public static int hash(byte[] data) {
    return hash(new Prefix(data, 0), "");
  }

  /** The hash of the UTF-8 bytes of {@code text}, seed 0. */
  public static int hash(CharSequence text) {
    return hash(EMPTY, text);
  }

  /** The hash of {@code prefix} followed by the UTF-8 bytes of {@code suffix}, seed 0. */
  public static int hash(byte[] prefix, CharSequence suffix) {
    return hash(new Prefix(prefix, 0), suffix);
  }

  /** The hash of {@code prefix} followed by the UTF-8 bytes of {@code suffix}. */
  public static int hash(byte[] prefix, int seed, CharSequence suffix) {
    return hash(new Prefix(prefix, seed), suffix);
  }

  /**
   * The hash of the prefix followed by the UTF-8 bytes of {@code suffix}. Unpaired surrogates
   * encode as '?', as {@link String#getBytes(java.nio.charset.Charset)} does.
   */
  public static int hash(Prefix prefix, CharSequence suffix) {
    int h1 = prefix.h1;
    int k1 = prefix.k1;
    int shift = prefix.filled << 3; // bits pending in k1; stays the same over ASCII runs of four
    int n = suffix.length();
    int i = 0;
    // The usual targeting key is ASCII: four characters are four bytes, one block. This loop stays
    // small so that it is inlined into the evaluation; anything else goes to the general one.
    for (; i + 4 <= n; i += 4) {
      char c0 = suffix.charAt(i);
      char c1 = suffix.charAt(i + 1);
      char c2 = suffix.charAt(i + 2);
      char c3 = suffix.charAt(i + 3);
      if ((c0 | c1 | c2 | c3) >= 0x80) {
        break;
      }
      long four = c0 | c1 << 8 | c2 << 16 | (long) c3 << 24;
      h1 = mixH1(h1, k1 | (int) (four << shift));
      k1 = (int) (four >>> (32 - shift)); // a long shift by 32 leaves 0: nothing pending
    }
    int filled = shift >>> 3;
    int length = prefix.length + i;
    for (; i < n; i++) { // up to three ASCII characters left
      char c = suffix.charAt(i);
      if (c >= 0x80) {
        return hashRest(h1, k1, filled, length, suffix, i);
      }
      k1 |= c << (filled << 3);
      length++;
      if (++filled == 4) {
        h1 = mixH1(h1, k1);
        k1 = 0;
        filled = 0;
      }
    }
    return finish(h1, k1, filled, length);
  }

  /** Goes on from character {@code i}, byte by byte, with the state so far. */
  private static int hashRest(int h1, int k1, int filled, int length, CharSequence suffix, int i) {
    int n = suffix.length();
    while (i < n) {
      char c = suffix.charAt(i++);
      int encoded; // up to 4 UTF-8 bytes, first byte lowest
      int count;
      if (c < 0x80) {
        encoded = c;
        count = 1;
      } else if (c < 0x800) {
        encoded = (0xc0 | (c >> 6)) | ((0x80 | (c & 0x3f)) << 8);
        count = 2;
      } else if (Character.isHighSurrogate(c)
          && i < n
          && Character.isLowSurrogate(suffix.charAt(i))) {
        int cp = Character.toCodePoint(c, suffix.charAt(i++));
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
    return finish(h1, k1, filled, length);
  }

  /** Mixes the pending bytes and the length in. */
  private static int finish(int h1, int k1, int filled, int length) {
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
