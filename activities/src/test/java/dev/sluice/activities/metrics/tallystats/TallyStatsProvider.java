package dev.sluice.activities.metrics.tallystats;

import dev.sluice.activities.Settings;
import dev.sluice.activities.traffic.tally.TallyBalancer;
import dev.sluice.activities.traffic.tally.TallyBalancer.Behaviour;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
import dev.sluice.ports.MetricProvider;
import java.time.Duration;
import java.util.List;

/**
 * A test-only {@link MetricProvider} over a {@link TallyBalancer}'s servers, the default metrics of
 * the {@code tally} router as {@code haproxy-stats} is of {@code haproxy}: a ratio is the group's
 * failed requests out of its requests over the query's window, a value their mean response time in
 * ms. Like HAProxy, it keeps means only, and says so: no {@link Kind#SAMPLES}, no cohorts.
 *
 * <p>Settings ({@link ProviderRef} type {@value #TYPE}): {@code balancer} (required), as for the
 * router, so the router's settings serve both; {@code resolution} and {@code delay} (default 0s)
 * make it answer as a per-period, late source such as CloudWatch says it does.
 */
public final class TallyStatsProvider implements MetricProvider {

  public static final String TYPE = "tally-stats";

  private final TallyBalancer balancer;
  private final Duration resolution;
  private final Duration delay;

  private TallyStatsProvider(TallyBalancer balancer, Duration resolution, Duration delay) {
    this.balancer = balancer;
    this.resolution = resolution;
    this.delay = delay;
  }

  public static TallyStatsProvider fromRef(ProviderRef ref) {
    Settings settings = new Settings(TYPE, ref.settings());
    return new TallyStatsProvider(
        TallyBalancer.named(settings.requiredString("balancer")),
        settings.duration("resolution", Duration.ZERO),
        settings.duration("delay", Duration.ZERO));
  }

  @Override
  public Duration resolution() {
    return resolution;
  }

  @Override
  public Duration delay() {
    return delay;
  }

  @Override
  public Sample fetch(Query query) {
    if (cannotServe(query.kind()) != null) {
      return Sample.noData(cannotServe(query.kind()));
    }
    List<Target> targets = query.targets() == null ? List.of() : query.targets();
    if (targets.isEmpty()) {
      return Sample.noData("group '" + query.group() + "' has no targets");
    }
    double seconds = query.window().toMillis() / 1000.0;
    long requests = 0;
    long failed = 0;
    double weightedMs = 0;
    for (Target target : targets) {
      Behaviour behaviour = balancer.behaviour(target.id());
      if (behaviour == null) {
        return Sample.error(TYPE + ": no server '" + target.id() + "'");
      }
      long answered = Math.round(behaviour.requestsPerSecond() * seconds);
      requests += answered;
      failed += Math.round(answered * behaviour.failing());
      weightedMs += answered * behaviour.meanMs();
    }
    String detail = TYPE + " " + query.group() + " over " + query.window();
    if (query.kind() == Kind.RATIO) {
      return Sample.ratio(failed, requests, detail);
    }
    return requests == 0
        ? Sample.noData("no requests: " + detail)
        : Sample.value(weightedMs / requests, detail);
  }

  @Override
  public String cannotServe(Kind kind) {
    return kind == Kind.SAMPLES ? TYPE + " keeps means only: no individual response times" : null;
  }

  @Override
  public String cannotCompareCohorts() {
    return TYPE + " counts per server, and both cohorts share the servers";
  }
}
