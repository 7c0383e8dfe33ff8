package dev.sluice.api.codec;

import java.util.List;

/**
 * The body of Temporal's codec protocol, both ways: {@code Payloads} as protobuf JSON writes it, so
 * every bytes field — each payload's data and metadata values — is base64.
 */
public record CodecPayloads(List<CodecPayload> payloads) {}
