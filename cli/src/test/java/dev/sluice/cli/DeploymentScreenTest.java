package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeploymentScreenTest {

  static final ObjectMapper JSON = new ObjectMapper();

  static JsonNode json(String text) throws Exception {
    return JSON.readTree(text.replace('\'', '"'));
  }

  @Test
  void aCanarysScreenShowsItsLatestAnalysisPerMetric() throws Exception {
    JsonNode deployment =
        json(
            "{'id':'dep-1','service':'shop','strategy':'canary','state':'RUNNING',"
                + "'phase':'ANALYSING','version':'2.0','previousVersion':'1.0',"
                + "'links':{'analysis':'/api/v1/deployments/dep-1/analysis'}}");
    JsonNode analysis =
        json(
            "{'runs':[{'run':'1','kind':'canary','metrics':[{'name':'old','points':[]}]},"
                + "{'run':'7','kind':'canary','metrics':["
                + "{'name':'errors','measure':'rate','verdict':'FAIL','pValue':0.0012,"
                + "'threshold':0.005,'points':[{'interval':0,'canary':0.01,'baseline':0.0},"
                + "{'interval':1,'canary':0.125,'baseline':0.002}]},"
                + "{'name':'latency','measure':'mean-ms','verdict':'PASS','threshold':240.0,"
                + "'points':[{'interval':0,'canary':120.4}]}]}]}");

    assertThat(DeploymentScreen.analysed(deployment)).isTrue();
    List<String> lines = DeploymentScreen.render(deployment, analysis, 20, Instant.EPOCH);

    assertThat(lines).contains("Analysis (canary, run 2, 2 intervals)");
    assertThat(lines)
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains("errors")
                    .contains("12.50%")
                    .contains("0.20%")
                    .contains("0.00120")
                    .contains("≤ 0.00500")
                    .contains("FAIL"));
    assertThat(lines)
        .anySatisfy(l -> assertThat(l).contains("latency").contains("120 ms").contains("> 240 ms"));
    assertThat(lines).noneMatch(l -> l.contains("old"));
  }

  @Test
  void aServerWithoutTheAnalysisLinkIsNotAskedAndTheScreenGoesWithoutIt() throws Exception {
    JsonNode older = json("{'id':'dep-2','strategy':'canary','state':'RUNNING','links':{}}");

    assertThat(DeploymentScreen.analysed(older)).isFalse();
    assertThat(DeploymentScreen.render(older, null, 20, Instant.EPOCH))
        .noneMatch(l -> l.startsWith("Analysis"));
    assertThat(DeploymentScreen.render(older, json("{'runs':[]}"), 20, Instant.EPOCH))
        .noneMatch(l -> l.startsWith("Analysis"));
  }

  @Test
  void aCanarysSetWeightAndActualWeightAreTwoBarsOneUnderTheOther() throws Exception {
    JsonNode deployment =
        json(
            "{'id':'dep-3','service':'shop','strategy':'canary','state':'RUNNING',"
                + "'phase':'ANALYSING','version':'2.0','previousVersion':'1.0','trafficWeight':25,"
                + "'actualWeight':{'percent':40.0,'at':'2026-12-05T10:00:00Z',"
                + "'canaryRequests':400,'baselineRequests':600},'links':{}}");

    List<String> lines = DeploymentScreen.render(deployment, null, 20, Instant.EPOCH);

    int set = lines.indexOf("Weight:     [█████···············] 25% to 2.0 (set)");
    assertThat(set).as("the set weight's bar").isNotNegative();
    assertThat(lines.get(set + 1))
        .as("the actual weight's bar, under it")
        .matches(
            " {12}\\[████████············\\] 40\\.0% actual"
                + " \\(400 of 1000 requests at \\d\\d:\\d\\d:\\d\\d\\)");
  }

  @Test
  void beforeAnIntervalCountedRequestsOnlyTheSetWeightIsShown() throws Exception {
    JsonNode deployment =
        json(
            "{'id':'dep-4','service':'shop','strategy':'canary','state':'RUNNING',"
                + "'phase':'WAITING','version':'2.0','previousVersion':'1.0','trafficWeight':10,"
                + "'actualWeight':null,'links':{}}");

    List<String> lines = DeploymentScreen.render(deployment, null, 20, Instant.EPOCH);

    assertThat(lines).contains("Weight:     [██··················] 10% to 2.0 (set)");
    assertThat(lines).noneMatch(l -> l.contains("actual"));
  }
}
