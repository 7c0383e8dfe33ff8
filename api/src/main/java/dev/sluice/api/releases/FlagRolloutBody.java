package dev.sluice.api.releases;

import dev.sluice.api.flags.FlagRollouts;
import java.util.List;

/** A release's flag rollout: {@code flag} and the rollout as {@code POST …/rollout} takes it. */
public record FlagRolloutBody(
    String flag,
    String variant,
    List<FlagRollouts.StageBody> stages,
    FlagRollouts.GateBody gate,
    Boolean killOnFailure) {}
