package dev.sluice.api.codec;

import dev.sluice.api.SluiceConfiguration;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.jetty.ConnectorFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.jetty.HttpsConnectorFactory;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.Set;

/** Where the Temporal UI reaches Sluice's codec, and which UIs may. */
public final class CodecEndpoint {

  /** The codec's path under the API's address; the UI adds {@code /decode} and {@code /encode}. */
  public static final String PATH = "/api/v1/codec";

  private CodecEndpoint() {}

  /**
   * {@code temporal.encryption.uiCodecEndpoint} if set, else {@code publicUrl} + {@link #PATH},
   * else the API's first application connector when its port is fixed; {@code null} when none is
   * known (a port of 0 is only known once bound, after the dev server has started).
   */
  public static String of(SluiceConfiguration config) {
    String set = config.getTemporal().getEncryption().getUiCodecEndpoint();
    if (set != null && !set.isBlank()) {
      return set;
    }
    if (config.getPublicUrl() != null) {
      return config.getPublicUrl().replaceAll("/+$", "") + PATH;
    }
    if (config.getServerFactory() instanceof DefaultServerFactory server
        && !server.getApplicationConnectors().isEmpty()) {
      ConnectorFactory first = server.getApplicationConnectors().get(0);
      if (first instanceof HttpConnectorFactory http && http.getPort() != 0) {
        String host = http.getBindHost();
        if (host == null || host.isBlank() || "0.0.0.0".equals(host) || "::".equals(host)) {
          host = "127.0.0.1";
        }
        String scheme = first instanceof HttpsConnectorFactory ? "https" : "http";
        return scheme + "://" + host + ":" + http.getPort() + PATH;
      }
    }
    return null;
  }

  /**
   * The origins whose pages may call the codec: {@code temporal.encryption.uiOrigins}, and the UI
   * of the backend (a dev server's), under both {@code 127.0.0.1} and {@code localhost} since the
   * browser's origin is whichever was typed.
   *
   * @param uiUrl the backend's UI, or null
   */
  public static Set<String> origins(SluiceConfiguration config, String uiUrl) {
    Set<String> origins = new LinkedHashSet<>();
    for (String origin : config.getTemporal().getEncryption().getUiOrigins()) {
      origins.add(origin.replaceAll("/+$", ""));
    }
    if (uiUrl != null) {
      URI ui = URI.create(uiUrl);
      String port = ui.getPort() < 0 ? "" : ":" + ui.getPort();
      origins.add(ui.getScheme() + "://" + ui.getHost() + port);
      if ("127.0.0.1".equals(ui.getHost()) || "localhost".equals(ui.getHost())) {
        origins.add(ui.getScheme() + "://127.0.0.1" + port);
        origins.add(ui.getScheme() + "://localhost" + port);
      }
    }
    return origins;
  }
}
