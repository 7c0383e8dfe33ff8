package dev.sluice.api.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.api.SluiceApplication;
import dev.sluice.testkit.Browser;
import dev.sluice.testkit.LoadGenerator;
import dev.sluice.testkit.LocalStack;
import dev.sluice.testkit.SluiceClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The dashboard in headless Chromium, as an operator uses it, against a running stack (Sluice,
 * Temporal, HAProxy, four sample-app processes, 120 requests/s): a canary's page shows its weight
 * and the charts of canary against baseline filling with points while its analysis runs; the list's
 * "needs attention" filter finds it waiting for a person; a notification's action link opens the
 * promote confirmation; the Promote button, confirmed, takes it to the end, which the page shows.
 * Screenshots are saved in {@code api/target/screenshots}.
 */
class DashboardIT {

  static final Duration WAIT = Duration.ofMinutes(2);

  @TempDir static Path dir;
  static LocalStack stack;
  static SluiceClient api;

  @BeforeAll
  static void startStack() throws Exception {
    stack =
        LocalStack.start(
            LocalStack.Options.defaults(dir, Path.of(System.getProperty("sluice.sampleAppJar"))),
            SluiceApplication::startServer);
    api = stack.client();
    api.put("/api/v1/services/checkout", stack.serviceDefinition()).expect(201);
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  static String url(String hash) {
    return "http://127.0.0.1:" + stack.apiPort() + "/#" + hash;
  }

  static String text(Browser browser, String css) {
    List<WebElement> found = browser.driver().findElements(By.cssSelector(css));
    return found.isEmpty() ? "" : found.get(0).getText();
  }

  /** How much of the bar {@code css} is filled, in percent of its width, as Chromium drew it. */
  static double filled(Browser browser, String css) {
    WebElement bar = browser.driver().findElement(By.cssSelector(css));
    WebElement fill = bar.findElement(By.cssSelector("span"));
    return 100.0 * fill.getSize().getWidth() / bar.getSize().getWidth();
  }

  @Test
  void anOperatorWatchesACanarysAnalysisAndPromotesItFromTheDashboard() {
    try (LoadGenerator load = new LoadGenerator(stack.frontend(), 120).start();
        Browser browser = Browser.start()) {
      try {
        watchAndPromote(browser, load);
      } catch (RuntimeException | AssertionError e) {
        browser.screenshot("dashboard-failure");
        throw e;
      }
    }
  }

  private void watchAndPromote(Browser browser, LoadGenerator load) {
    String id =
        api.startCanary(
            "checkout",
            "2.0.0",
            List.of(
                Map.of("setWeight", 25),
                Map.of("analysis", Map.of("duration", "16s", "interval", "2s")),
                Map.of("pause", Map.of())));

    browser.open(url("/deployments/" + id));
    browser.await(WAIT, d -> text(browser, "#weight").equals("25%"));
    browser.await(
        WAIT,
        d ->
            d.findElements(By.cssSelector(".chart[data-metric=errors] circle.pt.canary")).size()
                >= 3);
    WebElement errors = browser.visible(".chart[data-metric=errors]", WAIT);
    assertThat(errors.findElements(By.cssSelector("circle.pt.baseline")))
        .as("the baseline is charted beside the canary")
        .hasSizeGreaterThanOrEqualTo(3);
    assertThat(errors.getText()).contains("canary").contains("baseline").contains("p =");
    assertThat(errors.findElements(By.cssSelector("text.tick")))
        .as("the chart's time axis")
        .extracting(WebElement::getText)
        .hasSize(3)
        .allMatch(t -> t.matches("\\d\\d:\\d\\d:\\d\\d"));
    // Beside the weight the router was set to, the share of requests the canary really served.
    browser.await(WAIT, d -> text(browser, "#actual-weight").matches("\\d+\\.\\d%"));
    double actual = Double.parseDouble(text(browser, "#actual-weight").replace("%", ""));
    assertThat(actual).as("the canary's actual share at a 25% weight").isBetween(10.0, 45.0);
    // The bars' widths are set through the CSSOM, which the CSP (no inline styles) lets through;
    // the page redraws every 2 s, so the actual bar is compared with the figure beside it at once.
    browser.await(WAIT, d -> Math.abs(filled(browser, ".bar:not(.actual)") - 25.0) < 2.0);
    browser.await(
        WAIT,
        d ->
            Math.abs(
                    filled(browser, ".bar.actual")
                        - Double.parseDouble(text(browser, "#actual-weight").replace("%", "")))
                < 2.0);
    browser.screenshot("dashboard-canary-analysis");

    // Waiting at its pause for a person: the page shows it and the list flags it.
    browser.await(WAIT, d -> text(browser, "#phase").equals("WAITING"));
    assertThat(browser.driver().findElement(By.id("do-promote")).isEnabled()).isTrue();
    assertThat(text(browser, ".chart[data-metric=errors] .verdict")).isEqualTo("PASS");
    assertThat(browser.driver().findElement(By.id("do-resume")).isEnabled())
        .as("resume is offered only to a paused deployment")
        .isFalse();
    browser.open(url("/?attention=1"));
    browser.await(WAIT, d -> !d.findElements(By.cssSelector("tr[data-id='" + id + "']")).isEmpty());
    browser.screenshot("dashboard-needs-attention");

    // A notification's action link opens the confirmation; cancelled, nothing happens.
    browser.open(url("/deployments/" + id + "?action=promote"));
    browser.visible("#confirm-ok", WAIT);
    assertThat(text(browser, "#confirm-title")).isEqualTo("Promote " + id + "?");
    browser.driver().findElement(By.id("confirm-cancel")).click();
    assertThat(api.get("/api/v1/deployments/" + id).expect(200).body().path("phase").asText())
        .isEqualTo("WAITING");

    browser.visible("#do-promote", WAIT).click();
    browser.driver().findElement(By.id("confirm-reason")).sendKeys("charts look fine");
    browser.driver().findElement(By.id("confirm-ok")).click();
    browser.await(WAIT, d -> text(browser, "h1 .state").contains("SUCCEEDED"));
    browser.screenshot("dashboard-canary-promoted");

    JsonNode done = api.get("/api/v1/deployments/" + id).expect(200).body();
    assertThat(done.path("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(stack.versions().values()).containsOnly("2.0.0");
    assertThat(load.snapshot().failed()).as("failed requests").isZero();
    assertThat(api.get("/api/v1/audit?subject=" + id).expect(200).body().toString())
        .contains("deployment.promote")
        .contains("charts look fine");
  }
}
