package dev.sluice.activities.traffic.elbv2;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.Settings;
import dev.sluice.activities.aws.AwsConnection;
import dev.sluice.activities.aws.AwsUnavailableException;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
import dev.sluice.ports.Heartbeat;
import dev.sluice.ports.TrafficRouter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Action;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ActionTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ForwardActionConfig;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetDescription;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroupTuple;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetHealthDescription;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetHealthStateEnum;

/**
 * {@link TrafficRouter} over an AWS Application or Network Load Balancer (ELBv2) and its target
 * groups, through AWS SDK v2. A target's {@link Target#id() id} is its registered target id in the
 * target group: an EC2 instance id ({@code i-0abc…}) for target groups of type {@code instance}, an
 * IP address for type {@code ip}; it is registered on {@link Target#port()}.
 *
 * <p>Settings ({@link ProviderRef} type {@code elbv2}), references only, never credentials:
 *
 * <ul>
 *   <li>{@code region} (required), e.g. {@code eu-west-1}.
 *   <li>{@code endpoint} (optional): an endpoint override, e.g. {@code http://127.0.0.1:5000} for
 *       moto; AWS's own endpoint for the region otherwise.
 *   <li>{@code profile} (optional): a profile of the shared AWS config and credentials files;
 *       without it the SDK's default credentials chain (environment, the default profile, web
 *       identity, container and instance roles).
 *   <li>{@code listener}: the listener ARN whose default action forwards to the fleet; required by
 *       {@link #split}, {@link #switchPool} and {@link #activePool}.
 *   <li>{@code rule} (optional): a rule ARN of that listener; then that rule's forward action is
 *       the one changed and read instead of the default action.
 *   <li>{@code targetGroup}: the target group ARN of a fleet without pools (the stable group of a
 *       canary); required unless {@code targetGroups} is set.
 *   <li>{@code canaryTargetGroup} (required by {@link #split}): the target group canary targets are
 *       moved into while a canary runs.
 *   <li>{@code targetGroups} (optional): an object from pool name to target group ARN, for
 *       blue-green fleets ({@link Target#pool()}).
 *   <li>{@code pollInterval} (default {@code 1s}) and {@code maxPollInterval} (default {@code
 *       10s}): drain and enable read target health first after {@code pollInterval}, then back off
 *       by half each time up to {@code maxPollInterval}.
 * </ul>
 *
 * <p>Which target group a target belongs to (its home): its pool's group when it has a pool, the
 * canary group while a {@link #split} has it there (recorded as a tag {@code sluice:canary:<id>} on
 * the canary group, so a retry on another worker knows), otherwise {@code targetGroup}.
 *
 * <p>Drain and enable: {@link #drain} deregisters the target from every configured group it is
 * registered in (the group's deregistration delay is the connection draining) and waits until it is
 * {@code unused} in all of them; {@link #enable} registers it in its home group and waits until the
 * load balancer's health checks report it {@code healthy}. A group that no listener forwards to has
 * no health checks: its targets stay {@code unused}, so the canary group stays in the forward
 * action even at weight 0.
 *
 * <p>Canary: the forward action's {@code ForwardConfig} holds the stable and the canary group with
 * weights {@code 100 - p} and {@code p}; canary targets are registered in the canary group and
 * deregistered from the stable group (and the other way round for stable targets). A split with no
 * stable targets at 100% (how the canary strategy ends, promoted or rolled back) puts the whole
 * fleet back into the stable group at weight 100, the canary group at 0 and empty.
 *
 * <p>Blue-green: {@link #switchPool} rewrites the forward action to the pool's group alone in one
 * {@code ModifyListener} (or {@code ModifyRule}), atomic at the load balancer; {@link #activePool}
 * reads which pool's group has the weight.
 *
 * <p>Urgent changes first: a split that only changes the weights of this router's last split (a
 * canary's cut, its next step) and a switch to a group the forward action named at this router's
 * last change (a switch back) go to the load balancer with the first call, one {@code
 * ModifyListener} (or {@code ModifyRule}) built from the actions the router last read back; then
 * every check and the change run once more as usual. While a deployment runs, the router owns the
 * listener's (or rule's) actions: an edit made by hand to them since its last change is replaced by
 * that first call. A router built anew (another worker, a restart) knows nothing yet and reads
 * first.
 *
 * <p>Every change is read back (the listener or rule, the groups' target health) and must hold what
 * was asked, else a retryable {@link IllegalStateException}. AWS's refusals are {@link
 * ConfigurationException}s and transient failures {@link AwsUnavailableException}s ({@link
 * Elbv2Api}).
 *
 * <p>Known limit: with the forward action's target group stickiness on, the load balancer keeps
 * clients on the group that served them for the stickiness duration, even at weight 0; deregistered
 * targets get no new requests in any case.
 */
public final class Elbv2Router implements TrafficRouter {

  /** The provider type this router is registered under. */
  public static final String TYPE = "elbv2";

  /** Tag key prefix on the canary group naming each target a split put there. */
  static final String CANARY_TAG = "sluice:canary:";

  static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);
  static final Duration DEFAULT_MAX_POLL_INTERVAL = Duration.ofSeconds(10);

  /** Set for a target that is not (or no longer) registered in a group. */
  static final String NOT_REGISTERED = "Target.NotRegistered";

  private final Elbv2Api api;
  private final Config config;

  /** What this router last made of the forward action, and where it put the targets; or null. */
  private volatile Known known;

  public Elbv2Router(Elbv2Api api, Config config) {
    this.api = api;
    this.config = config;
  }

  /**
   * Builds a router from its provider reference; see the class documentation for the settings.
   * Connects to nothing: an unreachable endpoint shows on the first call, as a retryable error.
   *
   * @throws ConfigurationException when a setting is missing or malformed
   */
  public static Elbv2Router fromRef(ProviderRef ref) {
    Settings settings = new Settings("elbv2 router", ref.settings());
    Config config =
        new Config(
            blankToNull(settings.string("listener", null)),
            blankToNull(settings.string("rule", null)),
            blankToNull(settings.string("targetGroup", null)),
            blankToNull(settings.string("canaryTargetGroup", null)),
            settings.stringMap("targetGroups"),
            settings.duration("pollInterval", DEFAULT_POLL_INTERVAL),
            settings.duration("maxPollInterval", DEFAULT_MAX_POLL_INTERVAL));
    Elbv2Api api = Elbv2Api.of(AwsConnection.from(settings, "elbv2 router"));
    return new Elbv2Router(api, config);
  }

  public Config config() {
    return config;
  }

  /**
   * The target group {@code target} is registered in when in rotation: its pool's, the canary group
   * while a split has it there, otherwise {@code targetGroup}.
   *
   * @throws ConfigurationException when its pool has no group, or it has none and there is no
   *     {@code targetGroup}
   */
  public String homeOf(Target target) {
    if (target.pool() != null && !config.targetGroups().isEmpty()) {
      String group = config.targetGroups().get(target.pool());
      if (group == null) {
        throw new ConfigurationException(
            "elbv2: target '"
                + target.id()
                + "' is in pool '"
                + target.pool()
                + "', which 'targetGroups' does not name (pools: "
                + String.join(", ", config.targetGroups().keySet())
                + ")");
      }
      return group;
    }
    if (config.canaryTargetGroup() != null
        && api.tags(config.canaryTargetGroup()).containsKey(CANARY_TAG + target.id())) {
      return config.canaryTargetGroup();
    }
    if (config.targetGroup() == null) {
      throw new ConfigurationException(
          "elbv2: target '"
              + target.id()
              + "' has no pool and no 'targetGroup' setting says where it is registered");
    }
    return config.targetGroup();
  }

  /**
   * Deregisters the target from every configured target group it is registered in, then polls
   * {@code DescribeTargetHealth} (backing off) until it is {@code unused} in all of them or {@code
   * timeout} passes, heartbeating a {@link DrainProgress} on every poll. Idempotent: a target
   * already draining is not deregistered again, one not registered anywhere is drained at once.
   *
   * @return drained, or not drained with {@code remainingSessions} the number of groups where it is
   *     still draining (ELBv2 does not tell a target's open connections)
   */
  @Override
  public DrainResult drain(Target target, Duration timeout, Heartbeat heartbeat) {
    TargetDescription described = describe(target);
    for (String group : config.allGroups()) {
      String state = stateIn(group, described);
      if (registered(state) && !state.startsWith(TargetHealthStateEnum.DRAINING.toString())) {
        api.deregister(group, List.of(described));
      }
    }
    long started = System.nanoTime();
    long deadline = started + Math.max(0, timeout.toNanos());
    Duration interval = config.pollInterval();
    while (true) {
      Map<String, String> draining = new LinkedHashMap<>();
      for (String group : config.allGroups()) {
        String state = stateIn(group, described);
        if (registered(state)) {
          draining.put(group, state);
        }
      }
      long now = System.nanoTime();
      long waited = Duration.ofNanos(now - started).toMillis();
      heartbeat.beat(new DrainProgress(target.id(), draining, waited));
      if (draining.isEmpty()) {
        return new DrainResult(true, 0, waited);
      }
      if (now >= deadline) {
        return new DrainResult(false, draining.size(), waited);
      }
      interval = pause(interval, deadline - now, target);
    }
  }

  /**
   * Registers the target in its {@link #homeOf home} group and polls {@code DescribeTargetHealth}
   * (backing off) until the load balancer reports it {@code healthy} or {@code timeout} passes,
   * heartbeating an {@link EnableProgress} on every poll. Idempotent: a target registered there
   * (and not draining) is not registered again.
   *
   * @return up when {@code healthy}; otherwise the last state with its reason, e.g. {@code initial
   *     (Elb.RegistrationInProgress)} or {@code unhealthy (Target.ResponseCodeMismatch)}
   */
  @Override
  public EnableResult enable(Target target, Duration timeout, Heartbeat heartbeat) {
    TargetDescription described = describe(target);
    String group = homeOf(target);
    // A target registered and not leaving is not registered again: nothing would change.
    api.register(group, missing(group, List.of(target)));
    long started = System.nanoTime();
    long deadline = started + Math.max(0, timeout.toNanos());
    Duration interval = config.pollInterval();
    while (true) {
      String state = stateIn(group, described);
      long now = System.nanoTime();
      heartbeat.beat(
          new EnableProgress(
              target.id(), group, state, Duration.ofNanos(now - started).toMillis()));
      if (state.equals(TargetHealthStateEnum.HEALTHY.toString())) {
        return new EnableResult(true, state);
      }
      if (now >= deadline) {
        return new EnableResult(false, state);
      }
      interval = pause(interval, deadline - now, target);
    }
  }

  /**
   * Moves canary targets into the canary group and stable targets into the stable group, and sets
   * the forward action's weights to {@code canaryPercent} and {@code 100 - canaryPercent}: first
   * the canary tags (so {@link #homeOf} knows), then the registrations, then one {@code
   * ModifyListener} (or {@code ModifyRule}), then the deregistrations from the group a target left,
   * which drain it there. With no stable targets at 100% the whole fleet goes back to the stable
   * group (see the class documentation). Read back afterwards. Idempotent.
   *
   * @throws ConfigurationException when {@code canaryPercent} is outside 0 to 100, a group that
   *     should get traffic is empty, a target is in both lists, a setting is missing, or AWS
   *     refuses
   */
  @Override
  public void split(List<Target> canary, List<Target> stable, int canaryPercent) {
    if (canaryPercent < 0 || canaryPercent > 100) {
      throw new ConfigurationException(
          "elbv2: canary percent must be 0 to 100, not " + canaryPercent);
    }
    if (canary.isEmpty() && canaryPercent > 0) {
      throw new ConfigurationException(
          "elbv2: no canary targets to send " + canaryPercent + "% of the traffic to");
    }
    if (stable.isEmpty() && canaryPercent < 100) {
      throw new ConfigurationException(
          "elbv2: no stable targets to send " + (100 - canaryPercent) + "% of the traffic to");
    }
    Set<String> canaryIds = new HashSet<>();
    canary.forEach(target -> canaryIds.add(target.id()));
    for (Target target : stable) {
      if (canaryIds.contains(target.id())) {
        throw new ConfigurationException(
            "elbv2: target '" + target.id() + "' is both canary and stable");
      }
    }
    String stableGroup = require(config.targetGroup(), "targetGroup", "split");
    String canaryGroup = require(config.canaryTargetGroup(), "canaryTargetGroup", "split");
    require(config.listener(), "listener", "split");

    boolean wholeFleet = stable.isEmpty();
    List<Target> inCanary = wholeFleet ? List.of() : canary;
    List<Target> inStable = wholeFleet ? canary : stable;
    int canaryWeight = wholeFleet ? 0 : canaryPercent;
    Map<String, Integer> weights = new LinkedHashMap<>();
    weights.put(stableGroup, 100 - canaryWeight);
    weights.put(canaryGroup, canaryWeight);
    Set<String> members = memberIds(inCanary, inStable);
    Known before = known;
    if (before != null
        && members.equals(before.members())
        && before.groups().containsAll(weights.keySet())) {
      // Only the weights change since this router's last split (a cut, the next step): the load
      // balancer first, then every check and the change once more, as for any split.
      forwardFirst(before, weights);
    }
    known = null; // until this split has read everything back
    // Everything a split names must exist before a target moves: a refusal leaves nothing half
    // done.
    api.requireTargetGroups(List.of(stableGroup, canaryGroup));
    forwardAction(currentActions());

    recordCanaries(canaryGroup, inCanary);
    api.register(stableGroup, missing(stableGroup, inStable));
    api.register(canaryGroup, missing(canaryGroup, inCanary));
    Known now = forwardTo(weights, members);
    api.deregister(stableGroup, present(stableGroup, inCanary));
    api.deregister(canaryGroup, present(canaryGroup, inStable));

    requireMembers(stableGroup, inStable);
    requireMembers(canaryGroup, inCanary);
    known = now;
  }

  /** The targets of a split, each with the group it is put in: what a later split must match. */
  private static Set<String> memberIds(List<Target> inCanary, List<Target> inStable) {
    Set<String> members = new HashSet<>();
    inCanary.forEach(t -> members.add("canary:" + t.id()));
    inStable.forEach(t -> members.add("stable:" + t.id()));
    return members;
  }

  /**
   * Points the forward action at the pool's target group alone (weight 1) with one {@code
   * ModifyListener} or {@code ModifyRule}, which the load balancer applies atomically; other
   * actions of the listener or rule are kept. Read back afterwards. Idempotent.
   *
   * @throws ConfigurationException when this router has no pools, {@code pool} is not one of them,
   *     or AWS refuses (an unknown target group or listener, access denied)
   */
  @Override
  public void switchPool(String pool) {
    Map<String, String> pools = requirePools("switchPool");
    String group = pools.get(pool);
    if (group == null) {
      throw new ConfigurationException(
          "elbv2: unknown pool '" + pool + "' (pools: " + String.join(", ", pools.keySet()) + ")");
    }
    require(config.listener(), "listener", "switchPool");
    Known before = known;
    if (before != null && before.groups().contains(group)) {
      // Back to a group the forward action named when this router last changed it (a switch
      // back): the load balancer first, then every check as below.
      forwardFirst(before, Map.of(group, 1));
    }
    known = null;
    api.requireTargetGroups(List.of(group));
    known = forwardTo(Map.of(group, 1), Set.of());
  }

  /**
   * Reads the forward action and answers the pool whose target group gets all its weight.
   *
   * @return the live pool, or {@code null} when this router has no pools
   * @throws ConfigurationException when no pool's group, or more than one, gets traffic
   */
  @Override
  public String activePool() {
    if (config.targetGroups().isEmpty()) {
      return null;
    }
    require(config.listener(), "listener", "activePool");
    Map<String, Integer> weights = forwardWeights(currentActions());
    List<String> live =
        weights.entrySet().stream().filter(e -> e.getValue() > 0).map(Map.Entry::getKey).toList();
    if (live.size() != 1) {
      throw new ConfigurationException(
          "elbv2: the forward action sends traffic to " + weights + ", not to one pool's group");
    }
    return config.targetGroups().entrySet().stream()
        .filter(e -> e.getValue().equals(live.get(0)))
        .map(Map.Entry::getKey)
        .findFirst()
        .orElseThrow(
            () ->
                new ConfigurationException(
                    "elbv2: the forward action sends traffic to "
                        + live.get(0)
                        + ", which no pool in 'targetGroups' names"));
  }

  /** The forward action's target groups and weights, as the load balancer reports them now. */
  public Map<String, Integer> forwardWeights() {
    return forwardWeights(currentActions());
  }

  private List<Action> currentActions() {
    return config.rule() != null
        ? api.rule(config.rule()).actions()
        : api.listener(config.listener()).defaultActions();
  }

  /**
   * Replaces the forward action's groups by {@code weights}, then reads it back.
   *
   * @param members the targets' places once the change is done, for what it returns
   * @return the actions as read back, for the next urgent change
   */
  private Known forwardTo(Map<String, Integer> weights, Set<String> members) {
    List<Action> actions = currentActions();
    List<Action> changed = withForward(actions, weights);
    if (!changed.equals(actions)) {
      modify(changed);
    }
    List<Action> after = currentActions();
    Map<String, Integer> now = forwardWeights(after);
    if (!now.equals(weights)) {
      throw new IllegalStateException(
          "elbv2: asked " + where() + " to forward to " + weights + ", but it reads back " + now);
    }
    Set<String> groups = new HashSet<>(forwardWeights(actions).keySet());
    groups.addAll(now.keySet());
    return new Known(after, members, groups);
  }

  /**
   * The urgent half of a change this router has made before (a canary's cut, a switch back): one
   * {@code ModifyListener} (or {@code ModifyRule}) from the actions it last read back, without
   * reading them first, so the load balancer changes with the first call. The caller then goes
   * through its checks and the change itself once more, which read everything back. A failure here
   * is left to that second pass, which meets it again or finds the change made.
   */
  private void forwardFirst(Known before, Map<String, Integer> weights) {
    try {
      modify(withForward(before.actions(), weights));
    } catch (RuntimeException e) {
      // The second pass meets the refusal again, or finds the change made.
    }
  }

  private void modify(List<Action> actions) {
    if (config.rule() != null) {
      api.modifyRule(config.rule(), actions);
    } else {
      api.modifyListener(config.listener(), actions);
    }
  }

  /** {@code actions} with the forward action's groups replaced by {@code weights}. */
  private List<Action> withForward(List<Action> actions, Map<String, Integer> weights) {
    List<Action> changed = new ArrayList<>(actions.size());
    Action forward = forwardAction(actions);
    for (Action action : actions) {
      if (action != forward) {
        changed.add(action);
        continue;
      }
      List<TargetGroupTuple> groups =
          weights.entrySet().stream()
              .map(
                  e ->
                      TargetGroupTuple.builder()
                          .targetGroupArn(e.getKey())
                          .weight(e.getValue())
                          .build())
              .toList();
      ForwardActionConfig.Builder forwardConfig =
          ForwardActionConfig.builder().targetGroups(groups);
      if (action.forwardConfig() != null) {
        forwardConfig.targetGroupStickinessConfig(
            action.forwardConfig().targetGroupStickinessConfig());
      }
      changed.add(
          Action.builder()
              .type(ActionTypeEnum.FORWARD)
              .order(action.order())
              .forwardConfig(forwardConfig.build())
              .build());
    }
    return changed;
  }

  private String where() {
    return config.rule() != null ? "rule " + config.rule() : "listener " + config.listener();
  }

  private Action forwardAction(List<Action> actions) {
    List<Action> forwards =
        actions.stream().filter(a -> a.type() == ActionTypeEnum.FORWARD).toList();
    if (forwards.size() != 1) {
      throw new ConfigurationException(
          "elbv2: "
              + where()
              + " has "
              + forwards.size()
              + " forward actions; the router drives exactly one");
    }
    return forwards.get(0);
  }

  private Map<String, Integer> forwardWeights(List<Action> actions) {
    Action forward = forwardAction(actions);
    Map<String, Integer> weights = new LinkedHashMap<>();
    if (forward.forwardConfig() != null && !forward.forwardConfig().targetGroups().isEmpty()) {
      forward
          .forwardConfig()
          .targetGroups()
          .forEach(t -> weights.put(t.targetGroupArn(), t.weight() == null ? 1 : t.weight()));
    } else if (forward.targetGroupArn() != null) {
      weights.put(forward.targetGroupArn(), 1);
    }
    return weights;
  }

  /** Tags the canary group with exactly {@code canaries}, before any target moves. */
  private void recordCanaries(String canaryGroup, List<Target> canaries) {
    Map<String, String> tags = api.tags(canaryGroup);
    Map<String, String> wanted = new LinkedHashMap<>();
    canaries.forEach(t -> wanted.put(CANARY_TAG + t.id(), Integer.toString(t.port())));
    List<String> stale =
        tags.keySet().stream()
            .filter(k -> k.startsWith(CANARY_TAG) && !wanted.containsKey(k))
            .toList();
    Map<String, String> missing = new LinkedHashMap<>(wanted);
    missing.keySet().removeIf(k -> wanted.get(k).equals(tags.get(k)));
    api.addTags(canaryGroup, missing);
    api.removeTags(canaryGroup, stale);
  }

  /** Targets of {@code targets} not registered in {@code group} (or leaving it). */
  private List<TargetDescription> missing(String group, List<Target> targets) {
    Map<String, String> states = states(group, targets);
    return targets.stream()
        .filter(
            t -> {
              String state = states.getOrDefault(t.id(), "");
              return !registered(state)
                  || state.startsWith(TargetHealthStateEnum.DRAINING.toString());
            })
        .map(Elbv2Router::describe)
        .toList();
  }

  /** Targets of {@code targets} registered in {@code group} and not yet leaving it. */
  private List<TargetDescription> present(String group, List<Target> targets) {
    Map<String, String> states = states(group, targets);
    return targets.stream()
        .filter(
            t -> {
              String state = states.getOrDefault(t.id(), "");
              return registered(state)
                  && !state.startsWith(TargetHealthStateEnum.DRAINING.toString());
            })
        .map(Elbv2Router::describe)
        .toList();
  }

  private void requireMembers(String group, List<Target> targets) {
    List<String> absent = missing(group, targets).stream().map(TargetDescription::id).toList();
    if (!absent.isEmpty()) {
      throw new IllegalStateException(
          "elbv2: registered " + absent + " in " + group + ", but it reads back without them");
    }
  }

  /** Each target's state in {@code group}, {@code state (reason)} when there is a reason. */
  private Map<String, String> states(String group, List<Target> targets) {
    Map<String, String> states = new LinkedHashMap<>();
    if (targets.isEmpty()) {
      return states;
    }
    List<TargetDescription> described = targets.stream().map(Elbv2Router::describe).toList();
    for (TargetHealthDescription health : api.health(group, described)) {
      states.put(health.target().id(), stateOf(health));
    }
    return states;
  }

  private String stateIn(String group, TargetDescription target) {
    return api.health(group, List.of(target)).stream()
        .filter(h -> h.target().id().equals(target.id()))
        .findFirst()
        .map(Elbv2Router::stateOf)
        .orElse(TargetHealthStateEnum.UNUSED + " (" + NOT_REGISTERED + ")");
  }

  static String stateOf(TargetHealthDescription health) {
    if (health.targetHealth() == null) {
      return TargetHealthStateEnum.UNUSED + " (" + NOT_REGISTERED + ")";
    }
    String state = health.targetHealth().stateAsString();
    String reason = health.targetHealth().reasonAsString();
    return reason == null ? state : state + " (" + reason + ")";
  }

  /**
   * Whether a target in this state is registered in the group: anything but "not registered"
   * ({@code unused}, or moto's {@code unavailable}, with reason {@code Target.NotRegistered}).
   */
  static boolean registered(String state) {
    return !state.isEmpty() && !state.contains(NOT_REGISTERED);
  }

  static TargetDescription describe(Target target) {
    TargetDescription.Builder builder = TargetDescription.builder().id(target.id());
    if (target.port() > 0) {
      builder.port(target.port());
    }
    return builder.build();
  }

  private Map<String, String> requirePools(String operation) {
    if (config.targetGroups().isEmpty()) {
      throw new ConfigurationException(
          "elbv2: "
              + operation
              + " needs pools: set 'targetGroups' (pool to target group ARN) in the router's"
              + " settings");
    }
    return config.targetGroups();
  }

  private static String require(String value, String setting, String operation) {
    if (value == null) {
      throw new ConfigurationException(
          "elbv2: " + operation + " needs the setting '" + setting + "'");
    }
    return value;
  }

  private Duration pause(Duration interval, long remainingNanos, Target target) {
    try {
      Thread.sleep(Math.max(1, Math.min(interval.toMillis(), remainingNanos / 1_000_000)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      CancellationException cancelled =
          new CancellationException("interrupted while waiting on target " + target.id());
      cancelled.initCause(e);
      throw cancelled;
    }
    Duration next = interval.plus(interval.dividedBy(2));
    return next.compareTo(config.maxPollInterval()) > 0 ? config.maxPollInterval() : next;
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  /**
   * What the router drives; see the class documentation for each setting.
   *
   * @param targetGroups pool name to target group ARN; empty without pools
   */
  public record Config(
      String listener,
      String rule,
      String targetGroup,
      String canaryTargetGroup,
      Map<String, String> targetGroups,
      Duration pollInterval,
      Duration maxPollInterval) {

    /**
     * @throws ConfigurationException when no group is named, a poll interval is not positive or two
     *     pools share a group
     */
    public Config {
      targetGroups =
          targetGroups == null
              ? Map.of()
              : Collections.unmodifiableMap(new LinkedHashMap<>(targetGroups));
      if (targetGroup == null && targetGroups.isEmpty()) {
        throw new ConfigurationException(
            "elbv2 router: setting 'targetGroup' (or 'targetGroups', pool to ARN) is required");
      }
      if (new HashSet<>(targetGroups.values()).size() != targetGroups.size()) {
        throw new ConfigurationException(
            "elbv2 router: two pools share a target group in 'targetGroups' " + targetGroups);
      }
      if (pollInterval.isNegative() || pollInterval.isZero()) {
        throw new ConfigurationException("elbv2 router: pollInterval must be positive");
      }
      if (maxPollInterval.compareTo(pollInterval) < 0) {
        maxPollInterval = pollInterval;
      }
    }

    /** Every configured target group, each once. */
    public List<String> allGroups() {
      Set<String> groups = new LinkedHashSet<>();
      Optional.ofNullable(targetGroup).ifPresent(groups::add);
      Optional.ofNullable(canaryTargetGroup).ifPresent(groups::add);
      groups.addAll(targetGroups.values());
      return List.copyOf(groups);
    }
  }

  /** Heartbeat details of a drain: the groups where the target is still registered, and why. */
  /**
   * The forward action as this router last read it back after changing it; the targets its last
   * split placed ({@code canary:<id>}, {@code stable:<id>}; none after a pool switch); and the
   * target groups the forward action named before and after that change, which exist, since the
   * load balancer forwarded there.
   */
  private record Known(List<Action> actions, Set<String> members, Set<String> groups) {}

  public record DrainProgress(String target, Map<String, String> draining, long waitedMillis) {}

  /** Heartbeat details of an enable: the target's latest state in its group. */
  public record EnableProgress(String target, String group, String state, long waitedMillis) {}
}
