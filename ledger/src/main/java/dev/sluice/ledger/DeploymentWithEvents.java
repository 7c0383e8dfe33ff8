package dev.sluice.ledger;

import dev.sluice.model.DeploymentEvent;
import java.util.List;

/** A deployment with every recorded event of it, in the order {@link Ledger#events} gives. */
public record DeploymentWithEvents(DeploymentRecord deployment, List<DeploymentEvent> events) {}
