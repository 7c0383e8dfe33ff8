package dev.sluice.model;

/**
 * One server of a service's fleet: where it listens and which pool it belongs to.
 *
 * @param id stable identifier, unique within the fleet; also the server's name at the traffic
 *     router
 * @param host host name or address the health checker and deployer reach the target at
 * @param port port the service listens on
 * @param pool pool name ({@code blue}/{@code green} for blue-green); {@code null} when unused
 */
public record Target(String id, String host, int port, String pool) {

  /** {@code host:port}, as a health checker or router would address it. */
  public String address() {
    return host + ":" + port;
  }
}
