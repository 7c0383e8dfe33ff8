package dev.sluice.api.services;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.ProviderRegistry;
import dev.sluice.api.errors.ApiException;
import dev.sluice.ledger.CircuitState;
import dev.sluice.ledger.Ledger;
import dev.sluice.ledger.VersionHistoryEntry;
import dev.sluice.model.ServiceDefinition;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Storing and showing services: their definitions (checked by {@link ServiceMapper}), version
 * history, circuit breaker and the files its router can start with.
 */
public final class Services {

  private final Ledger ledger;
  private final ServiceMapper mapper;
  private final ProviderRegistry providers;

  public Services(Ledger ledger, ServiceMapper mapper, ProviderRegistry providers) {
    this.ledger = ledger;
    this.mapper = mapper;
    this.providers = providers;
  }

  /** Result of a put: the service as stored, and whether it is new. */
  public record Stored(ServiceView view, boolean created) {}

  /** Creates or replaces the service, audited. 422 naming every problem with the definition. */
  public Stored put(String name, ServiceSpec spec, String actor) {
    ServiceDefinition service = mapper.toModel(name, spec);
    boolean created = ledger.putService(service, actor);
    return new Stored(view(service, mapper), created);
  }

  public ServiceView get(String name) {
    return view(find(name), mapper);
  }

  /** Every service Sluice knows. */
  public ServiceList list() {
    return new ServiceList(ledger.services().stream().map(s -> view(s, mapper)).toList());
  }

  /** The versions that ran, oldest first; {@code previous} answers "which version ran before?". */
  public ServiceHistory history(String name) {
    find(name);
    return new ServiceHistory(
        name,
        ledger.currentVersion(name).orElse(null),
        ledger.previousVersion(name).orElse(null),
        ledger.targetVersions(name),
        ledger.history(name).stream().map(Services::entry).toList());
  }

  /**
   * A file to start the service's router with, rendered from its fleet, router settings and health
   * check ({@code haproxy.cfg} for an HAProxy router): whichever the registry says the router's
   * adapter renders under {@code fileName}.
   *
   * @throws ApiException 404 for an unknown service or a file no router renders; 422 naming {@code
   *     trafficRouter.type} when no adapter renders {@code fileName} for the service's router, or
   *     {@code trafficRouter.settings} when its settings cannot make one
   */
  public String routerFile(String name, String fileName) {
    ServiceDefinition stored = find(name);
    if (providers.routerTypesRendering(fileName).isEmpty()) {
      throw ApiException.notFound("no traffic router renders " + fileName);
    }
    String type = stored.trafficRouter() == null ? null : stored.trafficRouter().type();
    Function<ServiceDefinition, String> render =
        providers
            .routerFile(type, fileName)
            .orElseThrow(
                () ->
                    ApiException.invalid(
                        "trafficRouter.type",
                        "is \""
                            + type
                            + "\"; "
                            + fileName
                            + " is rendered for trafficRouter type "
                            + providers.routerTypesRendering(fileName).stream()
                                .map(t -> "\"" + t + "\"")
                                .collect(Collectors.joining(" or "))
                            + " only"));
    // Rendered over the fleet as its source holds it now, when it is discovered.
    ServiceDefinition service = mapper.resolveFleet(stored);
    try {
      return render.apply(service);
    } catch (ConfigurationException | IllegalArgumentException e) {
      throw ApiException.invalid("trafficRouter.settings", e.getMessage());
    }
  }

  /**
   * The targets a deployment starting now would get: those its {@code fleetSource} resolves to (the
   * source is asked), or the listed fleet.
   *
   * @throws ApiException 404 for an unknown service; 422 or 503 as {@link FleetSources#resolve}
   */
  public FleetView fleet(String name) {
    ServiceDefinition service = mapper.resolveFleet(find(name));
    return new FleetView(
        service.name(),
        ProviderSpecs.spec(service.fleetSource()),
        FleetView.targets(service.fleet()));
  }

  /** The service's circuit breaker: closed, or open until when and why. */
  public CircuitView circuit(String name) {
    find(name);
    return view(ledger.circuit(name));
  }

  /** Closes the circuit breaker early, audited; whether the actor may is the caller's check. */
  public CircuitView resetCircuit(String name, String actor) {
    ledger.resetCircuit(name, actor);
    return view(ledger.circuit(name));
  }

  /** The service's definition; 404 when there is none. */
  public ServiceDefinition find(String name) {
    return ledger.service(name).orElseThrow(() -> ApiException.notFound("no service " + name));
  }

  private static CircuitView view(CircuitState c) {
    return new CircuitView(
        c.service(), c.open(), c.consecutiveFailures(), c.threshold(), c.blockedUntil());
  }

  private static ServiceHistory.Entry entry(VersionHistoryEntry e) {
    return new ServiceHistory.Entry(
        e.version(),
        e.previousVersion(),
        e.outcome() == null ? null : e.outcome().name(),
        e.currentVersion(),
        e.deploymentId(),
        e.startedAt(),
        e.finishedAt());
  }

  static ServiceView view(ServiceDefinition service, ServiceMapper mapper) {
    String self = "/api/v1/services/" + service.name();
    return new ServiceView(
        service.name(),
        mapper.toSpec(service),
        Map.of(
            "self", self,
            "history", self + "/history",
            "deployments", "/api/v1/deployments?service=" + service.name()));
  }
}
