package dev.sluice.model;

import java.util.Map;

/**
 * Names an adapter (traffic router, deployer, health checker, metric provider) and its settings.
 * Settings hold references to secrets (environment variable or file names), never secret values:
 * this record travels in workflow inputs and so ends up in Temporal history.
 *
 * @param type the adapter's registered type, e.g. {@code haproxy} or {@code local-process}
 * @param settings adapter-specific settings; never {@code null} after construction
 */
public record ProviderRef(String type, Map<String, Object> settings) {

  public ProviderRef {
    settings = settings == null ? Map.of() : Map.copyOf(settings);
  }

  public static ProviderRef of(String type) {
    return new ProviderRef(type, Map.of());
  }

  /** A string setting, or {@code fallback} when absent. */
  public String setting(String key, String fallback) {
    Object value = settings.get(key);
    return value == null ? fallback : value.toString();
  }
}
