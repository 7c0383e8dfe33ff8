package dev.sluice.ledger;

/**
 * How many deployments of {@code service} with {@code strategy} ({@code null} when the row does not
 * name one yet) are in {@code state} (a {@link dev.sluice.model.DeploymentState} name).
 */
public record DeploymentTally(String service, String strategy, String state, long count) {}
