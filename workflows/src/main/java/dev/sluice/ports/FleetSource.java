package dev.sluice.ports;

import dev.sluice.model.Target;
import java.util.List;

/**
 * Port to wherever a fleet is discovered instead of listed by hand: EC2 instances by tag, the
 * registered targets of a load balancer's target group. Asked once when a deployment starts; the
 * targets it answers become part of that deployment's input, so its history shows exactly which
 * hosts were deployed.
 */
public interface FleetSource {

  /**
   * The targets the source holds now, ordered by id (a deployment's order), each with its host,
   * port, pool and zone as the source knows them. Reads only; asking twice changes nothing.
   *
   * @return at least one target, never {@code null}: a source that finds none fails, since a
   *     deployment to no host is never what was meant
   * @throws RuntimeException the adapter's typed failures: a configuration error when the source
   *     finds nothing or refuses the request, a retryable one when it cannot be reached
   */
  List<Target> targets();
}
