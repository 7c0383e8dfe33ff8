package dev.sluice.workflows.activities;

import io.temporal.activity.ActivityInterface;

/** Changes to a flag's stored definition on behalf of a rollout; each is a new flag version. */
@ActivityInterface(namePrefix = "Flag")
public interface FlagActivities {

  /**
   * Gives {@code percent}% of the flag's split to the call's variant. A disabled flag is switched
   * on only when the call says {@code enable}; otherwise it fails with type {@code FlagDisabled}
   * (somebody pulled the kill switch, and a rollout must not undo that).
   */
  FlagChange setRollout(RolloutCall call);

  /**
   * The flag serves the call's variant to everyone (enabled, no targeting): how a dual-write
   * migration moves its phase flag. The percent is ignored.
   */
  FlagChange setVariant(RolloutCall call);

  /** The kill switch: the flag answers its code default everywhere. */
  FlagChange disable(RolloutCall call);

  /**
   * @param flagKey the flag
   * @param variant the variant rolled out
   * @param percent its share, 0 to 100
   * @param enable switch a disabled flag on (the first stage), else refuse to touch it
   * @param actor recorded as the version's author
   * @param reason recorded as the version's reason
   */
  record RolloutCall(
      String flagKey, String variant, int percent, boolean enable, String actor, String reason) {}

  /** The flag version the change wrote. */
  record FlagChange(String flagKey, int version) {}
}
