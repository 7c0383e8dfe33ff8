package dev.sluice.model;

import java.util.Arrays;
import java.util.Optional;

/** Deployment strategies Sluice can run; {@link #id()} is the name used in the API. */
public enum Strategy {
  ROLLING("rolling"),
  CANARY("canary"),
  BLUE_GREEN("blue-green");

  private final String id;

  Strategy(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  public static Optional<Strategy> byId(String id) {
    return Arrays.stream(values()).filter(s -> s.id.equals(id)).findFirst();
  }
}
