package dev.sluice.api.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.ApiFixture;
import dev.sluice.api.SluiceConfiguration;
import dev.sluice.testkit.Browser;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;

/**
 * The dashboard on a Sluice with API tokens: its page and scripts are served to anyone (they hold
 * no data), every API call it makes needs the token, which the page asks for and then uses.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class DashboardWithTokensTest {

  static final String SECRET = "s3cr3t-ci-token";
  static final String ADMIN = "adm1n-token";

  static final DropwizardAppExtension<SluiceConfiguration> APP =
      ApiFixture.app(
          "api-auth-test.yml",
          ConfigOverride.config("auth.tokens[0].secretFile", secretFile(SECRET).toString()),
          ConfigOverride.config("auth.tokens[1].secretFile", secretFile(ADMIN).toString()));

  static Path secretFile(String secret) {
    try {
      Path file = Files.createTempFile("token", ".txt");
      Files.writeString(file, secret + "\n");
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String base() {
    return "http://127.0.0.1:" + APP.getLocalPort();
  }

  static HttpResponse<String> get(String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(base() + path)).build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void thePageAndItsScriptsNeedNoTokenButTheDataDoes() throws Exception {
    HttpResponse<String> page = get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
    assertThat(page.headers().firstValue("Content-Security-Policy"))
        .hasValueSatisfying(
            p ->
                assertThat(p)
                    .contains("script-src 'self'")
                    .contains("style-src 'self'")
                    .doesNotContain("unsafe-inline"));
    assertThat(page.body()).contains("/dashboard/app.js");
    HttpResponse<String> script = get("/dashboard/app.js");
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/javascript"));
    assertThat(get("/dashboard/nothing.js").statusCode()).isEqualTo(404);
    assertThat(get("/dashboard/..%2Fapi-auth-test.yml").statusCode())
        .as("no way out of the dashboard's files")
        .isIn(400, 404);
    assertThat(get("/api/v1/deployments").statusCode()).isEqualTo(401);
  }

  @Test
  void thePageAsksForTheTokenAndEveryPageRendersWithIt() throws Exception {
    HttpResponse<String> put =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(base() + "/api/v1/services/shop"))
                    .header("Authorization", "Bearer " + ADMIN)
                    .header("Content-Type", "application/json")
                    .PUT(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"fleet\":[{\"id\":\"t1\",\"host\":\"127.0.0.1\",\"port\":9101}],"
                                + "\"trafficRouter\":{\"type\":\"haproxy\",\"settings\":"
                                + "{\"socket\":\"/tmp/x\",\"backend\":\"b\"}},"
                                + "\"deployer\":{\"type\":\"local-process\",\"settings\":"
                                + "{\"sampleAppJar\":\"/tmp/x.jar\"}}}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(put.statusCode()).as(put.body()).isIn(200, 201);

    try (Browser browser = Browser.start()) {
      browser.open(base() + "/#/services");
      browser.visible("#login-token", Duration.ofSeconds(30)).sendKeys(SECRET);
      assertThat(browser.driver().findElement(By.id("login-text")).getText())
          .contains("token is required");
      browser.driver().findElement(By.id("login-ok")).click();
      browser.await(
          Duration.ofSeconds(30),
          d -> !d.findElements(By.cssSelector("a[href='#/services/shop']")).isEmpty());
      browser.screenshot("dashboard-with-token");
      for (Map.Entry<String, String> page :
          Map.of(
                  "/",
                  "Deployments",
                  "/services/shop",
                  "shop",
                  "/flags",
                  "Feature flags",
                  "/migrations",
                  "Schema migrations",
                  "/releases",
                  "Releases")
              .entrySet()) {
        browser.open(base() + "/#" + page.getKey());
        browser.await(
            Duration.ofSeconds(30),
            d -> d.findElement(By.tagName("h1")).getText().equals(page.getValue()));
        assertThat(browser.driver().findElement(By.id("message")).isDisplayed())
            .as(
                "an error shown on " + page.getKey() + ": %s",
                browser.driver().findElement(By.id("message")).getText())
            .isFalse();
      }
    }
  }
}
