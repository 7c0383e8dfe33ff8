package dev.sluice.model;

/**
 * A deployment's own settings, each block {@code null} when the request gives none; its strategy's
 * rules ({@code StrategyRules.settle}) lay them over the service's defaults and Sluice's.
 *
 * @param rolling rolling settings (every strategy has them: a canary promotes with them)
 * @param canary canary settings, for strategy canary only
 * @param blueGreen blue-green settings, for strategy blue-green only
 */
public record OptionOverrides(
    RollingOptions rolling, CanaryOptions canary, BlueGreenOptions blueGreen) {

  /** No overrides: the service's defaults and Sluice's decide. */
  public static final OptionOverrides NONE = new OptionOverrides(null, null, null);
}
