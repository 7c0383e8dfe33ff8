package dev.sluice.api.codec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Map;

/**
 * One Temporal payload as protobuf JSON writes it: {@code metadata} (e.g. {@code encoding}) and
 * {@code data}, each value base64. {@code externalPayloads}, which newer clients may send, is not
 * read.
 */
@JsonIgnoreProperties("externalPayloads")
public record CodecPayload(Map<String, String> metadata, String data) {}
