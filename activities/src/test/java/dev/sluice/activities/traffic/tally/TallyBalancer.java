package dev.sluice.activities.traffic.tally;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A load balancer that lives in this JVM, for tests that need a traffic router Sluice does not
 * ship: servers with weights the router sets, and a behaviour each that a test sets (requests per
 * second, share failing, mean response time) from which its metrics are made up. Found by name, so
 * a {@code ProviderRef}'s settings can point at one.
 */
public final class TallyBalancer {

  private static final Map<String, TallyBalancer> BY_NAME = new ConcurrentHashMap<>();

  private final Map<String, Behaviour> behaviours = new ConcurrentHashMap<>();
  private final Map<String, Integer> weights = new ConcurrentHashMap<>();
  private volatile String activePool;

  private TallyBalancer() {}

  /** The balancer of this name, created on first use. */
  public static TallyBalancer named(String name) {
    return BY_NAME.computeIfAbsent(name, n -> new TallyBalancer());
  }

  /**
   * How a server answers.
   *
   * @param requestsPerSecond requests it answers per second
   * @param failing the share of them that fail
   * @param meanMs their mean response time
   */
  public record Behaviour(double requestsPerSecond, double failing, double meanMs) {}

  /** Sets how {@code server} answers from now on. */
  public TallyBalancer serve(String server, Behaviour behaviour) {
    behaviours.put(server, behaviour);
    weights.putIfAbsent(server, 1);
    return this;
  }

  /** How {@code server} answers; {@code null} for a server this balancer does not have. */
  public Behaviour behaviour(String server) {
    return behaviours.get(server);
  }

  public boolean has(String server) {
    return behaviours.containsKey(server);
  }

  public void weight(String server, int weight) {
    weights.put(server, weight);
  }

  public int weight(String server) {
    return weights.getOrDefault(server, 0);
  }

  public void activePool(String pool) {
    activePool = pool;
  }

  public String activePool() {
    return activePool;
  }
}
