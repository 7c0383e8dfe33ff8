package dev.sluice.api.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.api.SluiceApplication;
import dev.sluice.testkit.Browser;
import dev.sluice.testkit.LocalStack;
import dev.sluice.testkit.SluiceClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The Temporal UI of the dev backend in headless Chromium, as an operator steers a deployment from
 * it (docs/temporal-ui.md): the workflow list filtered with {@code SluiceService="checkout"}, typed
 * into the UI's own raw-query input; the waiting canary's workflow opened from its row, its summary
 * read on the User Metadata tab; {@code promote-signal} chosen in "More Actions → Send a Signal"
 * (the UI lists the workflow's signals, from the worker) with a {@code ControlRequest} as its data;
 * Sluice's API then shows the promote by that actor and the deployment's success, and the UI a
 * completed workflow.
 *
 * <p>The list cannot show summaries: Temporal's list API does not return a workflow's user
 * metadata, so UI 2.54 offers no Summary column. The row is found by its Workflow ID, which is the
 * deployment id, and the summary is checked where the UI shows it, on the workflow's page. The dev
 * server's UI allows signals as it is, so Sluice passes it no flag for them.
 *
 * <p>Selectors are the UI's {@code data-testid}s, ids, ARIA roles and visible texts. The page holds
 * a second, hidden copy of the actions menu and its dialogs, hence {@link #displayed} and {@code
 * dialog[open]}. The "Workflow signaled" toast is gone too soon to wait for; the dialog closing (it
 * stays open with the error on a failure) says the server took the signal. Screenshots, and on a
 * failure the page's HTML, are saved in {@code api/target/screenshots}.
 */
class TemporalUiIT {

  static final Duration WAIT = Duration.ofMinutes(2);
  static final String QUERY = "SluiceService=\"checkout\"";
  static final String ROW = "tr[data-testid=workflows-summary-configurable-table-row]";

  @TempDir static Path dir;
  static LocalStack stack;
  static SluiceClient api;

  @BeforeAll
  static void startStack() throws Exception {
    stack =
        LocalStack.start(
            LocalStack.Options.defaults(dir, Path.of(System.getProperty("sluice.sampleAppJar")))
                .withDurableTemporal(),
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

  /** The first element matching {@code css} that is displayed, once there is one. */
  static WebElement displayed(Browser browser, String css) {
    return browser.await(WAIT, d -> firstDisplayed(d, css).orElse(null));
  }

  /** The text of the first displayed match, or "" while there is none. */
  static String text(WebDriver driver, String css) {
    return firstDisplayed(driver, css).map(WebElement::getText).orElse("");
  }

  private static Optional<WebElement> firstDisplayed(WebDriver driver, String css) {
    try {
      return driver.findElements(By.cssSelector(css)).stream()
          .filter(WebElement::isDisplayed)
          .findFirst();
    } catch (StaleElementReferenceException e) {
      // The UI re-rendered between finding and asking; the next poll finds the new element.
      return Optional.empty();
    }
  }

  static Optional<WebElement> rowOf(WebDriver driver, String id) {
    try {
      return driver.findElements(By.cssSelector(ROW)).stream()
          .filter(r -> !r.findElements(By.linkText(id)).isEmpty())
          .findFirst();
    } catch (StaleElementReferenceException e) {
      return Optional.empty();
    }
  }

  @Test
  void anOperatorFindsAWaitingCanaryInTheTemporalUiAndPromotesItWithASignal() throws IOException {
    String id =
        api.startCanary(
            "checkout", "2.0.0", List.of(Map.of("setWeight", 25), Map.of("pause", Map.of())));
    api.awaitDeployment(id, WAIT, d -> d.path("waiting").path("endsOn").asText().equals("promote"));

    try (Browser browser = Browser.start()) {
      try {
        promoteFromTheUi(browser, id);
      } catch (RuntimeException | AssertionError e) {
        browser.screenshot("temporal-ui-failure");
        Files.writeString(
            Browser.SCREENSHOTS.resolve("temporal-ui-failure.html"),
            browser.driver().getPageSource());
        throw e;
      }
    }
  }

  private void promoteFromTheUi(Browser browser, String id) {
    WebDriver driver = browser.driver();
    browser.open(stack.temporalUi() + "/namespaces/default/workflows");
    displayed(browser, "[data-testid=workflow-count]");
    if (driver.findElements(By.cssSelector("[data-testid=workflow-manual-search-input]")).stream()
        .noneMatch(WebElement::isDisplayed)) {
      displayed(browser, "[data-testid=toggle-manual-query]").click();
    }
    WebElement query = displayed(browser, "[data-testid=workflow-manual-search-input]");
    query.sendKeys(QUERY, Keys.ENTER);
    browser.await(WAIT, d -> d.getCurrentUrl().contains("query=SluiceService%3D%22checkout%22"));
    WebElement row = browser.await(WAIT, d -> rowOf(d, id).orElse(null));
    assertThat(row.getText()).contains("RUNNING");
    browser.screenshot("temporal-ui-list");

    row.findElement(By.linkText(id)).click();
    browser.await(WAIT, d -> text(d, "[data-testid=workflow-id-heading]").equals(id));
    displayed(browser, "[data-testid=user-metadata-tab]").click();
    driver.switchTo().frame(displayed(browser, "iframe#user-metadata-summary"));
    String summary =
        browser.await(
            WAIT,
            d -> {
              String shown = d.findElement(By.tagName("body")).getText().strip();
              return shown.isEmpty() ? null : shown;
            });
    driver.switchTo().defaultContent();
    assertThat(summary).startsWith("canary checkout ").endsWith("→ 2.0.0");

    displayed(browser, "button[aria-controls=workflow-actions]").click();
    displayed(browser, "[data-testid=signal-button]").click();
    // With a worker polling, the UI lists the workflow's signals, read from its metadata query.
    displayed(browser, "dialog[open] [data-testid=signal-select-button]").click();
    WebElement promote =
        browser.await(
            WAIT,
            d ->
                d.findElements(By.cssSelector("dialog[open] [role=listbox] [role=option]")).stream()
                    .filter(o -> o.isDisplayed() && o.getText().startsWith("promote-signal"))
                    .findFirst()
                    .orElse(null));
    assertThat(promote.getText()).contains("Same as the promote update");
    promote.click();
    // The signal's argument is a ControlRequest; the data field is a code editor that closes
    // quotes and braces as they are typed and steps over them when they are typed again.
    WebElement data = displayed(browser, "dialog[open] [role=textbox][aria-label=Data]");
    data.click();
    data.sendKeys("{\"actor\": \"ops-on-call\", \"reason\": \"canary looks healthy\"}");
    browser.screenshot("temporal-ui-signal");
    displayed(browser, "dialog[open] [data-testid=confirm-modal-button]").click();
    // The dialog closes once the server has taken the signal; on an error it stays, saying why.
    browser.await(WAIT, d -> firstDisplayed(d, "dialog[open]#signal-confirmation-modal").isEmpty());

    JsonNode done = api.awaitFinal(id, WAIT, event -> {});
    assertThat(done.path("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(done.path("events").findValuesAsText("message"))
        .anyMatch(m -> m.startsWith("promote requested by ops-on-call during "));
    assertThat(stack.versions().values()).containsOnly("2.0.0");

    driver.navigate().refresh();
    browser.await(WAIT, d -> text(d, "[data-testid=execution-status]").equals("COMPLETED"));
    browser.screenshot("temporal-ui-done");
  }
}
