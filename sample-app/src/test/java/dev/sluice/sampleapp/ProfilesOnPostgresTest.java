package dev.sluice.sampleapp;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code /profiles} with its two stores in two real PostgreSQL databases. */
class ProfilesOnPostgresTest {

  static EmbeddedPostgres postgres;

  @BeforeAll
  static void start() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE legacy");
      s.execute("CREATE DATABASE fresh");
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  static String url(String database) {
    return postgres.getJdbcUrl("postgres", database) + "&password=postgres";
  }

  @Test
  void profilesAreWrittenToAndReadFromTheLegacyDatabaseAndOnlyNewReachesTheOther()
      throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    try (SampleApp app =
        SampleApp.start(
            SampleAppConfig.of("1.0.0")
                .withProfiles(new SampleAppConfig.Stores(url("legacy"), url("fresh"))))) {
      String base = "http://127.0.0.1:" + app.port() + "/profiles/";
      for (int i = 0; i < 20; i++) {
        HttpResponse<String> put =
            http.send(
                HttpRequest.newBuilder(URI.create(base + "u" + i + "?value=v" + i))
                    .PUT(HttpRequest.BodyPublishers.noBody())
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).isBetween(200, 299);
      }
      http.send(
          HttpRequest.newBuilder(URI.create(base + "u3?value=only-new&only=new"))
              .PUT(HttpRequest.BodyPublishers.noBody())
              .build(),
          HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> read =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "u7")).build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(read.statusCode()).isEqualTo(200);
      assertThat(read.body()).contains("\"value\":\"v7\"").contains("\"phase\":\"old-only\"");
      assertThat(rows("legacy")).hasSize(20).contains("u7=v7");
      assertThat(rows("fresh")).containsExactly("u3=only-new");
    }
  }

  static List<String> rows(String database) throws Exception {
    List<String> rows = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url(database));
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id, value FROM profiles ORDER BY id")) {
      while (rs.next()) {
        rows.add(rs.getString(1) + "=" + rs.getString(2));
      }
    }
    return rows;
  }
}
