package dev.sluice.activities.traffic.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.traffic.haproxy.HaproxyRuntimeApi.ServerState;
import dev.sluice.activities.traffic.haproxy.HaproxyRuntimeApi.StatRow;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link HaproxyRuntimeApi}: parsing on inline data, commands against one real HAProxy. */
class HaproxyRuntimeApiTest {

  @TempDir static Path dir;

  private static TestBackend a;
  private static HaproxyInstance haproxy;
  private static HaproxyRuntimeApi api;

  @BeforeAll
  static void startHaproxy() {
    a = TestBackend.start("a");
    haproxy =
        HaproxyInstance.builder(dir)
            .targets(List.of(a.target()))
            .extraGlobal("stats socket " + dir.resolve("user.sock") + " mode 600 level user")
            .build()
            .start();
    api = haproxy.runtimeApi();
  }

  @AfterAll
  static void stopHaproxy() {
    haproxy.close();
    a.close();
  }

  @Test
  void statRowsAreReadByHeaderNameNotPosition() {
    String csv =
        "# svname,type,pxname,status,scur,check_desc,rtime,\n"
            + "web1,2,app,UP 1/2,3,\"said \"\"no\"\", then closed\",,\n"
            + "BACKEND,1,app,UP,3,,12,\n"
            + "\n";

    List<StatRow> rows = HaproxyRuntimeApi.parseStat(csv);

    assertThat(rows).hasSize(2);
    StatRow server = rows.get(0);
    assertThat(server.proxy()).isEqualTo("app");
    assertThat(server.name()).isEqualTo("web1");
    assertThat(server.isServer()).isTrue();
    assertThat(server.text("status")).isEqualTo("UP 1/2");
    assertThat(server.number("scur", -1)).isEqualTo(3);
    assertThat(server.text("check_desc")).isEqualTo("said \"no\", then closed");
    assertThat(server.number("rtime", -1)).as("empty column").isEqualTo(-1);
    assertThat(server.number("no_such_column", -1)).isEqualTo(-1);
    assertThat(rows.get(1).isServer()).isFalse();
  }

  @Test
  void malformedAddressesAreConfigurationErrors() {
    assertThatThrownBy(() -> HaproxyRuntimeApi.of(" ")).isInstanceOf(ConfigurationException.class);
    assertThatThrownBy(() -> HaproxyRuntimeApi.of("tcp://localhost"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("tcp://host:port");
  }

  @Test
  void oneCommandPerCall() {
    assertThatThrownBy(() -> api.execute("show info; shutdown frontend http-in"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> api.execute("show info\nshow stat"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void executeReturnsTheAnswer() {
    assertThat(api.execute("show info")).startsWith("Name: HAProxy").doesNotEndWith("\n");
  }

  @Test
  void showStatListsFrontendsBackendsAndServers() {
    List<StatRow> rows = api.showStat();

    assertThat(rows)
        .extracting(StatRow::proxy, StatRow::name)
        .contains(tuple("http-in", "FRONTEND"), tuple("app", "a"), tuple("app", "BACKEND"));
    assertThat(api.showServerStats("app")).extracting(StatRow::name).containsExactly("a");
  }

  @Test
  void errorAnswersAreCommandErrors() {
    assertThatThrownBy(() -> api.execute("frobnicate everything"))
        .isInstanceOf(HaproxyCommandException.class)
        .hasMessageContaining("Unknown command")
        .satisfies(
            e ->
                assertThat(((HaproxyCommandException) e).command())
                    .isEqualTo("frobnicate everything"));
    assertThatThrownBy(() -> api.setState("app", "ghost", ServerState.MAINT))
        .isInstanceOf(HaproxyCommandException.class)
        .satisfies(
            e -> assertThat(((HaproxyCommandException) e).answer()).isEqualTo("No such server."));
  }

  @Test
  void severalCommandsGoOutAsOneLineOnOneConnection() throws Exception {
    try (FakeRuntimeSocket fake =
        FakeRuntimeSocket.listen(dir.resolve("fake.sock"), line -> "\n\n\n")) {
      HaproxyRuntimeApi client = HaproxyRuntimeApi.of(fake.path().toString());

      client.executeSilently(
          List.of(
              HaproxyRuntimeApi.setWeightCommand("app", "a", 3),
              HaproxyRuntimeApi.setStateCommand("app", "a", ServerState.DRAIN)));
      client.executeSilently(List.of());

      assertThat(fake.lines())
          .containsExactly(
              "set severity-output number; set server app/a weight 3;"
                  + " set server app/a state drain");
    }
  }

  @Test
  void severalCommandsOnOneLineRunInOrder() {
    try {
      api.executeSilently(
          List.of(
              HaproxyRuntimeApi.setWeightCommand("app", "a", 3),
              HaproxyRuntimeApi.setStateCommand("app", "a", ServerState.DRAIN),
              HaproxyRuntimeApi.setWeightCommand("app", "a", 7)));

      StatRow row = api.showServerStats("app").get(0);
      assertThat(row.number("uweight", -1)).isEqualTo(7);
      assertThat(row.text("status")).isEqualTo("DRAIN");
    } finally {
      api.setState("app", "a", ServerState.READY);
      api.setWeight("app", "a", 1);
    }
  }

  @Test
  void aFailingCommandInALineIsReportedAndTheRestStillRuns() {
    try {
      assertThatThrownBy(
              () ->
                  api.executeSilently(
                      List.of(
                          HaproxyRuntimeApi.setWeightCommand("app", "a", 5),
                          HaproxyRuntimeApi.setWeightCommand("app", "ghost", 1),
                          HaproxyRuntimeApi.setWeightCommand("app", "a", 6))))
          .isInstanceOf(HaproxyCommandException.class)
          .satisfies(
              e -> {
                HaproxyCommandException error = (HaproxyCommandException) e;
                assertThat(error.command()).isEqualTo("set server app/ghost weight 1");
                assertThat(error.answer()).isEqualTo("No such server.");
              });
      // Not a transaction: HAProxy ran the command after the failing one too.
      assertThat(api.showServerStats("app").get(0).number("uweight", -1)).isEqualTo(6);
    } finally {
      api.setWeight("app", "a", 1);
    }
  }

  @Test
  void answersToALineSplitAtEmptyLines() {
    assertThat(HaproxyRuntimeApi.splitAnswers("\n\n[3]: No such server.\n\n\n"))
        .containsExactly("", "", "[3]: No such server.", "");
    assertThat(HaproxyRuntimeApi.splitAnswers("\n0x1 active app_blue\n\n"))
        .containsExactly("", "0x1 active app_blue");
  }

  @Test
  void unknownMapIsACommandError() {
    assertThatThrownBy(() -> api.showMap(dir.resolve("nowhere.map").toString()))
        .isInstanceOf(HaproxyCommandException.class)
        .hasMessageContaining("Unknown map identifier");
    assertThatThrownBy(() -> api.setMap("a b.map", "active", "app"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("not usable as a map name");
    assertThat(api.showBackends()).contains("app").doesNotContain("http-in");
  }

  @Test
  void socketWithoutAdminLevelIsACommandError() {
    HaproxyRuntimeApi userLevel = HaproxyRuntimeApi.of(dir.resolve("user.sock").toString());

    assertThat(userLevel.showServerStats("app")).hasSize(1);
    assertThatThrownBy(() -> userLevel.setWeight("app", "a", 2))
        .isInstanceOf(HaproxyCommandException.class)
        .hasMessageContaining("Permission denied");
  }
}
