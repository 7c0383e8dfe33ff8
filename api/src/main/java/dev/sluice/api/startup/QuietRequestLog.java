package dev.sluice.api.startup;

import ch.qos.logback.access.jetty.RequestLogImpl;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.LifeCycle;

/**
 * Keeps logback-access from printing its start-up status at every start: "Expected version of
 * logback-core is ?", a false alarm (the shaded jar keeps one manifest, and logback-access 2.0.9
 * ships the version file under another name than logback-core 1.5 looks for). Requests are still
 * logged; only the status list printed on start is silenced.
 */
public final class QuietRequestLog implements LifeCycle.Listener {

  @Override
  public void lifeCycleStarting(LifeCycle event) {
    if (event instanceof Server server && server.getRequestLog() instanceof RequestLogImpl log) {
      log.setQuiet(true);
    }
  }
}
