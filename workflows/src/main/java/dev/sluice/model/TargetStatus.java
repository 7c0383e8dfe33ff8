package dev.sluice.model;

/**
 * One target's part in a deployment.
 *
 * @param id target id
 * @param previousVersion version it ran before this deployment; {@code null} when unknown
 * @param version version it runs now, as far as the deployment knows
 * @param state where it is
 * @param detail last noteworthy fact (failure reason, drain outcome); may be {@code null}
 */
public record TargetStatus(
    String id, String previousVersion, String version, TargetState state, String detail) {

  public TargetStatus with(TargetState newState, String newVersion, String newDetail) {
    return new TargetStatus(id, previousVersion, newVersion, newState, newDetail);
  }
}
