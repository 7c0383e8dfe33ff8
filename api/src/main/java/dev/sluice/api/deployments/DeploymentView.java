package dev.sluice.api.deployments;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A deployment as the API shows it: where it is, each target, what happened, where to go next. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeploymentView(
    String id,
    String service,
    String version,
    String previousVersion,
    String strategy,
    String state,
    String phase,
    Batch batch,
    List<TargetView> targets,
    String reason,
    String requestedBy,
    Instant createdAt,
    Instant updatedAt,
    Instant finishedAt,
    WaitingView waiting,
    Integer trafficWeight,
    ActualWeight actualWeight,
    boolean needsAttention,
    List<EventView> events,
    Map<String, String> links) {

  /**
   * What a running deployment waits for: {@code endsOn} is {@code promote} when only a person ends
   * it (a canary's {@code pause: {}}, an approval gate without auto-promotion), else {@code timer
   * or promote}.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record WaitingView(String what, Instant since, Instant until, String endsOn) {}

  /** This view with {@code actual} as its actual weight. */
  public DeploymentView withActualWeight(ActualWeight actual) {
    return new DeploymentView(
        id,
        service,
        version,
        previousVersion,
        strategy,
        state,
        phase,
        batch,
        targets,
        reason,
        requestedBy,
        createdAt,
        updatedAt,
        finishedAt,
        waiting,
        trafficWeight,
        actual,
        needsAttention,
        events,
        links);
  }

  /**
   * The share of the traffic the canary actually took in the latest analysis interval that counted
   * requests, beside {@code trafficWeight}, the share the router was set to give it.
   *
   * @param percent the canary's requests out of both groups', in percent
   * @param at when that interval ended
   */
  public record ActualWeight(
      double percent, Instant at, long canaryRequests, long baselineRequests) {}

  /** Current batch (from 1, 0 before the first) of {@code total}. */
  public record Batch(int current, int total) {}

  /**
   * One target now; {@code pool} and {@code zone} as the deployment's fleet names them (null when
   * it does not).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TargetView(
      String id,
      String previousVersion,
      String version,
      String state,
      String detail,
      String pool,
      String zone) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record EventView(int seq, Instant at, String type, String target, String message) {}
}
