package dev.sluice.flags.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Murmur3Test {

  // Reference values: mmh3.hash(data, 0, signed=False) from the PyPI package mmh3 5.3.1.
  @Test
  void matchesTheReferenceImplementation() {
    assertThat(unsigned(Murmur3.hash(""))).isEqualTo(0L);
    assertThat(unsigned(Murmur3.hash("abc"))).isEqualTo(3017643002L);
    assertThat(unsigned(Murmur3.hash("foo@bar.com"))).isEqualTo(764043991L);
    assertThat(unsigned(Murmur3.hash("foo@test.com"))).isEqualTo(1067298043L);
  }

  @Test
  void prefixAndSuffixHashLikeTheirConcatenation() {
    String[][] pairs = {
      {"", ""},
      {"a", ""},
      {"", "abcd"},
      {"abc", "d"},
      {"flag-key", "user-123456789"},
      {"ü", "用户😀"},
      {"x", "\uD800 lone surrogate"},
      {"abcdefgh", "ijk"},
    };
    for (String[] pair : pairs) {
      byte[] prefix = pair[0].getBytes(StandardCharsets.UTF_8);
      byte[] whole = (pair[0] + pair[1]).getBytes(StandardCharsets.UTF_8);
      assertThat(Murmur3.hash(prefix, pair[1]))
          .as("%s + %s", pair[0], pair[1])
          .isEqualTo(Murmur3.hash(whole));
    }
  }

  @Test
  void fourAsciiCharactersAtATimeHashLikeTheirBytesAtEveryAlignment() {
    String[] suffixes = {
      "abcdefghij", "ab\u00fccdefgh", "user-\uD83D\uDE00-1234567", "a\u7528bcdefghi"
    };
    for (int prefixLength = 0; prefixLength < 8; prefixLength++) {
      byte[] prefix = "flagkeyx".substring(0, prefixLength).getBytes(StandardCharsets.UTF_8);
      Murmur3.Prefix state = Murmur3.prefix(prefix);
      for (String full : suffixes) {
        for (int end = 0; end <= full.length(); end++) {
          String suffix = full.substring(0, end);
          byte[] whole =
              (new String(prefix, StandardCharsets.UTF_8) + suffix)
                  .getBytes(StandardCharsets.UTF_8);
          assertThat(Murmur3.hash(state, suffix))
              .as("%d prefix bytes + %s", prefixLength, suffix)
              .isEqualTo(Murmur3.hash(whole));
        }
      }
    }
  }

  @Test
  void bucketMapsTheUnsignedHashOntoTheTotalWeight() {
    assertThat(Murmur3.bucket(0, 100)).isZero();
    assertThat(Murmur3.bucket(-1, 100)).isEqualTo(99); // 0xFFFFFFFF: the top bucket
    assertThat(Murmur3.bucket(Integer.MIN_VALUE, 100)).isEqualTo(50); // 2^31 is half way
    assertThat(Murmur3.bucket(-1, Integer.MAX_VALUE)).isEqualTo(Integer.MAX_VALUE - 1L);
  }

  private static long unsigned(int hash) {
    return hash & 0xffffffffL;
  }
}
