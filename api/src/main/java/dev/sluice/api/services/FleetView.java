package dev.sluice.api.services;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.sluice.api.services.ServiceSpec.ProviderSpec;
import dev.sluice.api.services.ServiceSpec.TargetSpec;
import dev.sluice.model.Target;
import java.util.List;

/**
 * {@code GET /api/v1/services/{name}/fleet}: the targets a deployment starting now would get, and
 * the source they were resolved from ({@code null} for a listed fleet).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FleetView(String service, ProviderSpec fleetSource, List<TargetSpec> targets) {

  static List<TargetSpec> targets(List<Target> fleet) {
    return fleet.stream()
        .map(t -> new TargetSpec(t.id(), t.host(), t.port(), t.pool(), t.zone()))
        .toList();
  }
}
