package dev.sluice.worker.encryption;

import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.CodecDataConverter;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.payload.codec.PayloadCodecException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The payload encryption {@code temporal.encryption} asks for, loaded and checked: the data
 * converter every Temporal client and worker of Sluice uses, and the codec the API's codec endpoint
 * serves. Off (payloads as the SDK writes them) when no key is configured.
 */
public final class PayloadEncryption {

  /** No encryption. */
  public static final PayloadEncryption OFF = new PayloadEncryption(null);

  /** What a key id may look like: it is written into every payload, in clear. */
  private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  static final int KEY_BYTES = 32;

  private final AesGcmPayloadCodec codec;

  private PayloadEncryption(AesGcmPayloadCodec codec) {
    this.codec = codec;
  }

  /** Loads the keys {@code settings} names from the environment and files. */
  public static PayloadEncryption load(EncryptionSettings settings) {
    return load(settings, System::getenv);
  }

  /**
   * Loads the keys {@code settings} names, reading environment variables through {@code env}.
   *
   * @throws IllegalArgumentException naming every key that cannot be used, and why (never a key's
   *     value)
   */
  public static PayloadEncryption load(EncryptionSettings settings, UnaryOperator<String> env) {
    if (settings == null || !settings.enabled()) {
      return OFF;
    }
    List<String> problems = new ArrayList<>(shapeProblems(settings));
    Map<String, SecretKey> keys = new LinkedHashMap<>();
    if (problems.isEmpty()) {
      for (EncryptionSettings.KeyRef ref : settings.getKeys()) {
        try {
          keys.put(ref.getId(), new SecretKeySpec(bytes(ref, env), "AES"));
        } catch (IllegalArgumentException e) {
          problems.add("temporal.encryption key " + ref.getId() + ": " + e.getMessage());
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    return new PayloadEncryption(new AesGcmPayloadCodec(keys, settings.getEncryptWith()));
  }

  /**
   * What is wrong with {@code settings} that can be told without reading a key: ids, a key given
   * both or neither way, an {@code encryptWith} that names no key. Empty when nothing is.
   */
  public static List<String> shapeProblems(EncryptionSettings settings) {
    List<String> problems = new ArrayList<>();
    if (settings == null || !settings.enabled()) {
      return problems;
    }
    Set<String> ids = new LinkedHashSet<>();
    for (int i = 0; i < settings.getKeys().size(); i++) {
      EncryptionSettings.KeyRef ref = settings.getKeys().get(i);
      String id = ref == null ? null : ref.getId();
      if (id == null || !KEY_ID.matcher(id).matches()) {
        problems.add(
            "temporal.encryption.keys["
                + i
                + "].id must be 1 to 64 letters, digits, '.', '_' or '-'");
        continue;
      }
      if (!ids.add(id)) {
        problems.add("temporal.encryption key " + id + " is listed twice");
      }
      boolean hasFile = ref.getFile() != null && !ref.getFile().isBlank();
      boolean hasEnv = ref.getEnv() != null && !ref.getEnv().isBlank();
      if (hasFile == hasEnv) {
        problems.add(
            "temporal.encryption key "
                + id
                + ": give exactly one of file (a file holding the key's base64) or env (the name"
                + " of an environment variable holding it)");
      }
    }
    String current = settings.getEncryptWith();
    if (current == null || current.isBlank()) {
      problems.add(
          "temporal.encryption.encryptWith must name the key that encrypts, one of " + ids);
    } else if (!ids.contains(current)) {
      problems.add(
          "temporal.encryption.encryptWith names key "
              + current
              + ", which temporal.encryption.keys does not list");
    }
    return problems;
  }

  /** The key's 32 bytes, from the base64 in its file or variable. */
  private static byte[] bytes(EncryptionSettings.KeyRef ref, UnaryOperator<String> env) {
    boolean hasEnv = ref.getEnv() != null && !ref.getEnv().isBlank();
    String text;
    String source;
    if (hasEnv) {
      source = "environment variable " + ref.getEnv();
      text = env.apply(ref.getEnv());
      if (text == null || text.isBlank()) {
        throw new IllegalArgumentException(source + " is not set or empty");
      }
    } else {
      source = "file " + ref.getFile();
      try {
        text = Files.readString(Path.of(ref.getFile()));
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException("cannot read " + source + " (" + e + ")");
      }
    }
    byte[] key;
    try {
      key = Base64.getDecoder().decode(text.strip());
    } catch (IllegalArgumentException notBase64) {
      throw new IllegalArgumentException(
          source + " does not hold base64 (make a key with: openssl rand -base64 32)");
    }
    if (key.length != KEY_BYTES) {
      throw new IllegalArgumentException(
          source
              + " holds "
              + key.length
              + " bytes; a key is "
              + KEY_BYTES
              + " (make one with: openssl rand -base64 32)");
    }
    return key;
  }

  public boolean enabled() {
    return codec != null;
  }

  /**
   * The data converter of every client and worker: the SDK's default, then the codec; failure
   * messages and stack traces are encoded too, since they quote hosts, commands and settings.
   */
  public DataConverter dataConverter() {
    if (codec == null) {
      return DefaultDataConverter.STANDARD_INSTANCE;
    }
    return new CodecDataConverter(
        DefaultDataConverter.newDefaultInstance(),
        List.of(codec), /* encodeFailureAttributes */
        true);
  }

  /** Encrypts {@code payloads}; unchanged when encryption is off. */
  public List<Payload> encode(List<Payload> payloads) {
    return codec == null ? payloads : codec.encode(payloads);
  }

  /**
   * Decrypts {@code payloads}; the ones not encrypted come back as they are.
   *
   * @throws PayloadCodecException for a payload that cannot be decrypted (an unknown key id,
   *     altered data), naming the key id
   */
  public List<Payload> decode(List<Payload> payloads) {
    if (codec != null) {
      return codec.decode(payloads);
    }
    for (Payload payload : payloads) {
      if (AesGcmPayloadCodec.encrypted(payload)) {
        throw new PayloadCodecException(
            "a payload is encrypted, but temporal.encryption lists no key");
      }
    }
    return payloads;
  }
}
