package dev.sluice.api.startup;

import dev.sluice.worker.TemporalBackend;
import io.dropwizard.lifecycle.ServerLifecycleListener;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs the {@link StartupBanner} once Jetty serves, with the ports it actually bound. */
public final class StartupReport implements ServerLifecycleListener {

  private static final Logger LOG = LoggerFactory.getLogger(StartupReport.class);

  private final TemporalBackend temporal;
  private final String ledger;
  private final boolean inMemory;

  /**
   * @param jdbcUrl the ledger's URL, printed without credentials
   * @param inMemory whether the backend is embedded
   */
  public StartupReport(TemporalBackend temporal, String jdbcUrl, boolean inMemory) {
    this.temporal = temporal;
    this.ledger = StartupBanner.ledger(jdbcUrl);
    this.inMemory = inMemory;
  }

  /** Where the API answers once {@code server} has started ({@code http://host:port}). */
  public static String apiUrl(Server server) {
    for (Connector connector : server.getConnectors()) {
      if (connector instanceof ServerConnector bound && "application".equals(bound.getName())) {
        return "http://" + host(server) + ":" + bound.getLocalPort();
      }
    }
    return "http://localhost:8080";
  }

  @Override
  public void serverStarted(Server server) {
    String host = host(server);
    String api = "http://" + host + ":" + getLocalPort(server) + "/";
    StartupBanner banner =
        new StartupBanner(
            api,
            "http://" + host + ":" + getAdminPort(server) + "/",
            temporal.uiUrl(),
            answers(api) ? api : null,
            temporal.description(),
            temporal.namespace(),
            ledger,
            inMemory);
    LOG.info("{}", banner.text());
    if (inMemory) {
      LOG.warn(StartupBanner.IN_MEMORY);
    }
  }

  /** The API connector's bind host; {@code localhost} when it binds every interface. */
  private static String host(Server server) {
    for (Connector connector : server.getConnectors()) {
      if (connector instanceof ServerConnector bound && "application".equals(bound.getName())) {
        String host = bound.getHost();
        return host == null || host.isBlank() || host.equals("0.0.0.0") ? "localhost" : host;
      }
    }
    return "localhost";
  }

  /** Whether something (the dashboard, once there is one) answers 2xx at {@code url}. */
  private static boolean answers(String url) {
    try {
      HttpResponse<Void> response =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofSeconds(2))
              .build()
              .send(
                  HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                  HttpResponse.BodyHandlers.discarding());
      return response.statusCode() / 100 == 2;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (Exception e) {
      return false;
    }
  }
}
