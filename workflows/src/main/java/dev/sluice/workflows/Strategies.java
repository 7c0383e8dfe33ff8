package dev.sluice.workflows;

import dev.sluice.model.Strategy;
import dev.sluice.workflows.bluegreen.BlueGreenRules;
import dev.sluice.workflows.canary.CanaryRules;
import dev.sluice.workflows.rolling.RollingRules;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every strategy's {@link StrategyRules}, one per {@link Strategy} constant. */
public final class Strategies {

  /** The rules of every strategy, in the order of {@link Strategy}. */
  public static final List<StrategyRules> ALL =
      List.of(new RollingRules(), new CanaryRules(), new BlueGreenRules());

  private static final Map<Strategy, StrategyRules> BY_STRATEGY = index();

  private Strategies() {}

  public static StrategyRules of(Strategy strategy) {
    return BY_STRATEGY.get(strategy);
  }

  /** The rules of the strategy with this API id; empty for an unknown id. */
  public static Optional<StrategyRules> byId(String id) {
    return Strategy.byId(id).map(BY_STRATEGY::get);
  }

  /** The workflow type that runs a deployment of {@code strategy} (a known strategy id). */
  public static String workflowType(String strategy) {
    return byId(strategy).orElseThrow().workflowType();
  }

  /** The known strategy ids, for error messages: {@code [rolling, canary, blue-green]}. */
  public static String ids() {
    return ALL.stream().map(r -> r.strategy().id()).toList().toString();
  }

  private static Map<Strategy, StrategyRules> index() {
    Map<Strategy, StrategyRules> index = new EnumMap<>(Strategy.class);
    for (StrategyRules rules : ALL) {
      if (index.put(rules.strategy(), rules) != null) {
        throw new IllegalStateException("two rules for strategy " + rules.strategy());
      }
    }
    for (Strategy strategy : Strategy.values()) {
      if (!index.containsKey(strategy)) {
        throw new IllegalStateException("no rules for strategy " + strategy);
      }
    }
    return index;
  }
}
