package dev.sluice.model;

import java.util.regex.Pattern;

/**
 * What a version may look like: tags, package versions and git shas, and nothing else. The API
 * refuses any other version, and every deployer that hands a version to a shell or a host checks it
 * again, so no character a shell interprets ever reaches one.
 */
public final class Versions {

  public static final Pattern PATTERN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private Versions() {}

  public static boolean isValid(String version) {
    return version != null && PATTERN.matcher(version).matches();
  }
}
