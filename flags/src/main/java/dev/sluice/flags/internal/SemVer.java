package dev.sluice.flags.internal;

import java.math.BigDecimal;

/**
 * A semantic version as flagd's {@code sem_ver} reads it: flagd prefixes a missing "v" and then
 * applies Go's {@code golang.org/x/mod/semver}, so {@code 1}, {@code 1.2}, {@code v1.2.3}, {@code
 * 1.2.3-rc.1+build.5} are valid, leading zeros are not, build metadata is ignored when comparing,
 * and numbers have no size limit (compared by length, then digit by digit).
 */
public final class SemVer implements Comparable<SemVer> {

  private final String major;
  private final String minor;
  private final String patch;
  private final String[] prerelease; // empty for a release

  private SemVer(String major, String minor, String patch, String[] prerelease) {
    this.major = major;
    this.minor = minor;
    this.patch = patch;
    this.prerelease = prerelease;
  }

  /**
   * The version a {@code sem_ver} operand names, or {@code null} when it names none: a string as
   * {@link #parse}, a number as Go's {@code fmt} prints it ({@code 1}, {@code 1.2}; flagd formats
   * non-strings with {@code %v}, so numbers of a million and more, printed as {@code 1e+06}, are no
   * version), anything else none.
   */
  public static SemVer of(Object value) {
    if (value instanceof String s) {
      return parse(s);
    }
    if (value instanceof Double d) {
      String text = goNumberText(d);
      return text == null ? null : parse(text);
    }
    if (value instanceof Number n) {
      return of(n.doubleValue());
    }
    return null;
  }

  /** {@code d} as Go's {@code %v} prints it, or {@code null} when that is in e-notation. */
  private static String goNumberText(double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      return null;
    }
    if (d == 0) {
      return "0";
    }
    BigDecimal exact = BigDecimal.valueOf(d).stripTrailingZeros();
    int exponent = exact.precision() - exact.scale() - 1;
    // Go's shortest %g switches to e-notation below 1e-4 and from 1e6 (precision 6).
    return exponent < -4 || exponent >= 6 ? null : exact.toPlainString();
  }

  /**
   * The version, or {@code null} when {@code text} is not a valid semantic version. As flagd: a
   * missing "v" is prefixed, a leading "V" read as "v".
   */
  public static SemVer parse(String text) {
    String v = text.startsWith("v") || text.startsWith("V") ? text.substring(1) : text;
    int[] pos = {0};
    String major = number(v, pos);
    if (major == null) {
      return null;
    }
    if (pos[0] == v.length()) {
      return new SemVer(major, "0", "0", new String[0]);
    }
    if (v.charAt(pos[0]++) != '.') {
      return null;
    }
    String minor = number(v, pos);
    if (minor == null) {
      return null;
    }
    if (pos[0] == v.length()) {
      return new SemVer(major, minor, "0", new String[0]);
    }
    if (v.charAt(pos[0]++) != '.') {
      return null;
    }
    String patch = number(v, pos);
    if (patch == null) {
      return null;
    }
    String rest = v.substring(pos[0]);
    String prereleasePart = "";
    int plus = rest.indexOf('+');
    String build = plus >= 0 ? rest.substring(plus + 1) : null;
    String beforeBuild = plus >= 0 ? rest.substring(0, plus) : rest;
    if (!beforeBuild.isEmpty()) {
      if (beforeBuild.charAt(0) != '-') {
        return null;
      }
      prereleasePart = beforeBuild.substring(1);
      if (!identifiers(prereleasePart, true)) {
        return null;
      }
    }
    if (build != null && !identifiers(build, false)) {
      return null;
    }
    String[] prerelease = prereleasePart.isEmpty() ? new String[0] : prereleasePart.split("\\.");
    return new SemVer(major, minor, patch, prerelease);
  }

  private static String number(String v, int[] pos) {
    int start = pos[0];
    int i = start;
    while (i < v.length() && v.charAt(i) >= '0' && v.charAt(i) <= '9') {
      i++;
    }
    if (i == start || (v.charAt(start) == '0' && i - start > 1)) {
      return null;
    }
    pos[0] = i;
    return v.substring(start, i);
  }

  private static boolean identifiers(String dotted, boolean noLeadingZeros) {
    if (dotted.isEmpty()) {
      return false;
    }
    for (String id : dotted.split("\\.", -1)) {
      if (id.isEmpty()) {
        return false;
      }
      for (int i = 0; i < id.length(); i++) {
        char c = id.charAt(i);
        if (!(Character.isLetterOrDigit(c) && c < 0x80) && c != '-') {
          return false;
        }
      }
      if (noLeadingZeros && isNumeric(id) && id.length() > 1 && id.charAt(0) == '0') {
        return false;
      }
    }
    return true;
  }

  private static boolean isNumeric(String id) {
    for (int i = 0; i < id.length(); i++) {
      if (id.charAt(i) < '0' || id.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  private static int compareNumeric(String a, String b) {
    if (a.length() != b.length()) {
      return a.length() < b.length() ? -1 : 1;
    }
    return Integer.signum(a.compareTo(b));
  }

  /** Semantic-version precedence; build metadata is ignored. */
  @Override
  public int compareTo(SemVer other) {
    int c = compareNumeric(major, other.major);
    if (c == 0) {
      c = compareNumeric(minor, other.minor);
    }
    if (c == 0) {
      c = compareNumeric(patch, other.patch);
    }
    return c != 0 ? c : comparePrerelease(prerelease, other.prerelease);
  }

  private static int comparePrerelease(String[] a, String[] b) {
    if (a.length == 0 || b.length == 0) {
      return a.length == b.length ? 0 : (a.length == 0 ? 1 : -1);
    }
    for (int i = 0; i < Math.min(a.length, b.length); i++) {
      boolean aNum = isNumeric(a[i]);
      boolean bNum = isNumeric(b[i]);
      int c;
      if (aNum && bNum) {
        c = compareNumeric(a[i], b[i]);
      } else if (aNum || bNum) {
        c = aNum ? -1 : 1;
      } else {
        c = Integer.signum(a[i].compareTo(b[i]));
      }
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.length, b.length);
  }

  /** Whether both have the same major version (flagd's {@code ^}). */
  public boolean sameMajor(SemVer other) {
    return compareNumeric(major, other.major) == 0;
  }

  /** Whether both have the same major and minor version (flagd's {@code ~}). */
  public boolean sameMinor(SemVer other) {
    return sameMajor(other) && compareNumeric(minor, other.minor) == 0;
  }

  @Override
  public String toString() {
    return "v"
        + major
        + "."
        + minor
        + "."
        + patch
        + (prerelease.length == 0 ? "" : "-" + String.join(".", prerelease));
  }
}
