package dev.sluice.api.analysis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.api.ApiJson;
import dev.sluice.api.errors.ApiException;
import dev.sluice.api.errors.JsonExceptionMapper;
import dev.sluice.judge.JudgeRequest;
import io.dropwizard.jackson.Jackson;
import java.util.function.UnaryOperator;

/**
 * {@code sluice judge --offline}: {@code POST /api/v1/analysis/judge} without a server. The body is
 * read as the API reads it (no coercion, unknown fields refused) and judged by {@link
 * AnalysisResource}, so the answer, or the 400 body naming the field, is the server's own.
 */
public final class OfflineJudge implements UnaryOperator<JsonNode> {

  private final ObjectMapper json = Jackson.newObjectMapper();

  public OfflineJudge() {
    ApiJson.configure(json);
  }

  @Override
  public JsonNode apply(JsonNode body) {
    try {
      JudgeRequest request = json.treeToValue(body, JudgeRequest.class);
      return json.valueToTree(new AnalysisResource().judge(request));
    } catch (JsonProcessingException e) {
      return json.valueToTree(JsonExceptionMapper.translate(e).body());
    } catch (ApiException e) {
      return json.valueToTree(e.body());
    }
  }
}
