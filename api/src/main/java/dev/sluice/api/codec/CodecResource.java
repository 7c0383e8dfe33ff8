package dev.sluice.api.codec;

import com.google.protobuf.ByteString;
import dev.sluice.api.common.Problems;
import dev.sluice.api.errors.ApiException;
import dev.sluice.worker.encryption.PayloadEncryption;
import io.temporal.api.common.v1.Payload;
import io.temporal.payload.codec.PayloadCodecException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * {@code /api/v1/codec}: Temporal's codec server protocol over Sluice's payload encryption, so the
 * Temporal UI and {@code temporal workflow show --codec-endpoint} show encrypted histories in clear
 * to whoever holds a Sluice token. {@code POST …/decode} decrypts (payloads that are not encrypted
 * come back as they are), {@code POST …/encode} encrypts (the UI's signal inputs). With encryption
 * off both return what they are given. Pure computation: nothing is stored, nothing is audited.
 */
@Path("/api/v1/codec")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class CodecResource {

  /** The header the UI and the CLI name the namespace in. */
  static final String NAMESPACE = "X-Namespace";

  private final PayloadEncryption encryption;
  private final String namespace;

  /**
   * @param namespace Sluice's namespace: the only one whose payloads this codec serves
   */
  public CodecResource(PayloadEncryption encryption, String namespace) {
    this.encryption = encryption;
    this.namespace = namespace;
  }

  @POST
  @Path("/decode")
  public CodecPayloads decode(
      @HeaderParam(NAMESPACE) String requestedNamespace, CodecPayloads body) {
    return apply(requestedNamespace, body, encryption::decode);
  }

  @POST
  @Path("/encode")
  public CodecPayloads encode(
      @HeaderParam(NAMESPACE) String requestedNamespace, CodecPayloads body) {
    return apply(requestedNamespace, body, encryption::encode);
  }

  private CodecPayloads apply(
      String requestedNamespace, CodecPayloads body, UnaryOperator<List<Payload>> codec) {
    if (requestedNamespace != null
        && !requestedNamespace.isBlank()
        && !requestedNamespace.equals(namespace)) {
      throw ApiException.badRequest(
          NAMESPACE,
          "Sluice's codec serves namespace "
              + namespace
              + ", not "
              + Problems.quote(requestedNamespace));
    }
    List<Payload> payloads = read(body);
    List<CodecPayload> out = new ArrayList<>(payloads.size());
    // One at a time, so a payload that cannot be decrypted is named by its index.
    for (int i = 0; i < payloads.size(); i++) {
      try {
        codec.apply(List.of(payloads.get(i))).forEach(p -> out.add(write(p)));
      } catch (PayloadCodecException e) {
        throw ApiException.invalid("payloads[" + i + "]", e.getMessage());
      }
    }
    return new CodecPayloads(out);
  }

  private static List<Payload> read(CodecPayloads body) {
    if (body == null || body.payloads() == null) {
      throw ApiException.badRequest(
          body == null ? "body" : "payloads",
          "a list of payloads is required: {\"payloads\": [{\"metadata\": {…}, \"data\": …}]}");
    }
    Problems problems = new Problems();
    List<Payload> payloads = new ArrayList<>();
    for (int i = 0; i < body.payloads().size(); i++) {
      CodecPayload p = body.payloads().get(i);
      String at = "payloads[" + i + "]";
      if (p == null) {
        problems.add(at, "must be a payload, not null");
        continue;
      }
      Payload.Builder payload = Payload.newBuilder();
      if (p.metadata() != null) {
        p.metadata()
            .forEach(
                (key, value) ->
                    base64(problems, at + ".metadata." + key, value)
                        .ifPresent(bytes -> payload.putMetadata(key, bytes)));
      }
      if (p.data() != null) {
        base64(problems, at + ".data", p.data()).ifPresent(payload::setData);
      }
      payloads.add(payload.build());
    }
    problems.throwIfAnyAs400();
    return payloads;
  }

  private static Optional<ByteString> base64(Problems problems, String field, String value) {
    if (value == null) {
      problems.add(field, "must be base64, not null");
      return Optional.empty();
    }
    try {
      return Optional.of(ByteString.copyFrom(Base64.getDecoder().decode(value)));
    } catch (IllegalArgumentException e) {
      problems.add(field, "must be base64 (protobuf JSON writes bytes so)");
      return Optional.empty();
    }
  }

  private static CodecPayload write(Payload payload) {
    Base64.Encoder base64 = Base64.getEncoder();
    Map<String, String> metadata = new LinkedHashMap<>();
    payload
        .getMetadataMap()
        .forEach((k, v) -> metadata.put(k, base64.encodeToString(v.toByteArray())));
    return new CodecPayload(metadata, base64.encodeToString(payload.getData().toByteArray()));
  }
}
