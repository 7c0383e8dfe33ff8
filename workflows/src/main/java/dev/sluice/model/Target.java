package dev.sluice.model;

/**
 * One server of a service's fleet: where it listens, which pool and which zone it belongs to.
 *
 * @param id stable identifier, unique within the fleet; also the server's name at the traffic
 *     router
 * @param host host name or address the health checker and deployer reach the target at
 * @param port port the service listens on
 * @param pool pool name ({@code blue}/{@code green} for blue-green); {@code null} when unused
 * @param zone failure domain (an AWS availability zone, a rack), for rolling one zone at a time;
 *     {@code null} when unknown
 */
public record Target(String id, String host, int port, String pool, String zone) {

  /** A target without a zone. */
  public Target(String id, String host, int port, String pool) {
    this(id, host, port, pool, null);
  }

  /** {@code host:port}, as a health checker or router would address it. */
  public String address() {
    return host + ":" + port;
  }
}
