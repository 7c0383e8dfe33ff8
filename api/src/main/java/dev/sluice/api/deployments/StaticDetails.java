package dev.sluice.api.deployments;

import dev.sluice.api.services.ServiceMapper;
import dev.sluice.model.BlueGreenOptions;
import dev.sluice.model.CanaryOptions;
import dev.sluice.model.CanaryStep;
import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.RollingOptions;
import java.time.Duration;
import java.util.stream.Collectors;

/**
 * The Temporal UI's static details of a deployment (markdown): who asked, and the plan of its own
 * strategy — a canary's steps, a blue-green's gates — not the rolling settings every request
 * carries.
 */
final class StaticDetails {

  private StaticDetails() {}

  static String of(DeploymentRequest request) {
    int targets = request.service().fleet().size();
    StringBuilder md =
        new StringBuilder("requested by **").append(request.requestedBy()).append("**\n\n");
    md.append(targets).append(targets == 1 ? " target · " : " targets · ");
    if (request.canary() != null) {
      md.append(canary(request.canary(), targets));
    } else if (request.blueGreen() != null) {
      md.append(blueGreen(request.blueGreen()));
    } else {
      md.append(rolling(request.rolling()));
    }
    return md.toString();
  }

  private static String rolling(RollingOptions rolling) {
    return "batch "
        + rolling.batchSize()
        + " · max unavailable "
        + rolling.maxUnavailable()
        + " · pause "
        + text(rolling.pauseBetweenBatches())
        + (rolling.rollsByZone()
            ? " · by zone, bake "
                + text(rolling.zoneBake())
                + (rolling.minHealthyPerZone() == null
                    ? ""
                    : " · min healthy per zone " + rolling.minHealthyPerZone())
            : "");
  }

  private static String canary(CanaryOptions canary, int targets) {
    int count = canary.effectiveCanaryCount(targets);
    return count
        + (count == 1 ? " canary" : " canaries")
        + "\n\nplan: "
        + canary.steps().stream().map(StaticDetails::step).collect(Collectors.joining(" → "))
        + " → promote the stable servers";
  }

  private static String step(CanaryStep step) {
    if (step.setWeight() != null) {
      return step.setWeight() + "%";
    }
    if (step.pause() != null) {
      return step.pause().duration() == null
          ? "pause until promoted"
          : "pause " + text(step.pause().duration());
    }
    return "analysis " + text(step.analysis().duration());
  }

  private static String blueGreen(BlueGreenOptions blueGreen) {
    String approval =
        Boolean.TRUE.equals(blueGreen.manualApproval())
            ? "approval by promote"
                + (blueGreen.autoPromoteAfter() == null
                    ? ""
                    : " (or after " + text(blueGreen.autoPromoteAfter()) + ")")
            : "no approval gate";
    return "blue-green: smoke tests → "
        + approval
        + " → switch → warm-up "
        + text(blueGreen.warmUp())
        + " → rollback window "
        + text(blueGreen.rollbackWindow());
  }

  private static String text(Duration duration) {
    return duration == null ? "none" : ServiceMapper.text(duration);
  }
}
