package dev.sluice.model;

/**
 * One smoke test run against the idle pool before a blue-green switch: {@code GET path} must answer
 * {@code expectedStatus}, and when {@code jsonField} is set that field must equal {@code
 * jsonValue}.
 */
public record SmokeCheck(String path, Integer expectedStatus, String jsonField, String jsonValue) {

  public SmokeCheck {
    expectedStatus = expectedStatus == null ? 200 : expectedStatus;
  }
}
