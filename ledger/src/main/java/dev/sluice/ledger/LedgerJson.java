package dev.sluice.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.sluice.model.TargetStatus;
import java.util.List;

/**
 * The JSON the ledger stores (service definitions, requests, targets, audit details, notification
 * payloads): written and read with one mapper configured for the stored format.
 */
final class LedgerJson {

  private static final TypeReference<List<TargetStatus>> TARGETS = new TypeReference<>() {};

  private final ObjectMapper json;

  /**
   * JSON through a copy of {@code mapper} with the settings of the stored format applied on top.
   */
  LedgerJson(ObjectMapper mapper) {
    this.json = configure(mapper.copy());
  }

  /** A new mapper with the stored format's settings; see {@link Ledger#objectMapper}. */
  static ObjectMapper objectMapper() {
    return configure(new ObjectMapper());
  }

  private static ObjectMapper configure(ObjectMapper mapper) {
    return mapper
        .registerModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  }

  String write(Object value) {
    try {
      return json.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot store as JSON: " + e.getOriginalMessage(), e);
    }
  }

  <T> T read(String text, Class<T> type) {
    try {
      return json.readValue(text, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "ledger holds unreadable " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
    }
  }

  List<TargetStatus> readTargets(String text) {
    try {
      return text == null ? List.of() : json.readValue(text, TARGETS);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "ledger holds unreadable targets: " + e.getOriginalMessage(), e);
    }
  }

  JsonNode readTree(String text) {
    try {
      return text == null ? null : json.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "ledger holds unreadable audit details: " + e.getOriginalMessage(), e);
    }
  }
}
