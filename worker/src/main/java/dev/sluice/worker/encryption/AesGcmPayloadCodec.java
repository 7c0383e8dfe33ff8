package dev.sluice.worker.encryption;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.temporal.api.common.v1.Payload;
import io.temporal.payload.codec.PayloadCodec;
import io.temporal.payload.codec.PayloadCodecException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Encrypts each payload whole — its metadata too, so not even the encoding of the value shows —
 * with AES-256-GCM under the current key, and decrypts by the key id each encrypted payload
 * carries, so histories written under an earlier key still read after a rotation. Payloads that are
 * not encrypted pass through both ways: a namespace keeps its older, plain histories readable when
 * encryption is switched on.
 *
 * <p>An encrypted payload: metadata {@code encoding: binary/encrypted} and {@code
 * encryption-key-id: <id>}; data the 12-byte random IV followed by the ciphertext and its 16-byte
 * tag, of the original {@code Payload}'s protobuf bytes.
 */
public final class AesGcmPayloadCodec implements PayloadCodec {

  /** The {@code encoding} of an encrypted payload. */
  public static final String ENCODING = "binary/encrypted";

  /** The metadata key naming the key a payload was encrypted with. */
  public static final String KEY_ID = "encryption-key-id";

  static final String CIPHER = "AES/GCM/NoPadding";
  static final int IV_BYTES = 12;
  static final int TAG_BITS = 128;

  private static final ByteString ENCODING_BYTES = ByteString.copyFromUtf8(ENCODING);

  private final Map<String, SecretKey> keys;
  private final String encryptWith;
  private final ByteString encryptWithBytes;
  private final SecureRandom random = new SecureRandom();

  /**
   * @param keys every key that may decrypt, by id
   * @param encryptWith the id of the key that encrypts; one of {@code keys}
   */
  public AesGcmPayloadCodec(Map<String, SecretKey> keys, String encryptWith) {
    if (!keys.containsKey(encryptWith)) {
      throw new IllegalArgumentException(
          "encryptWith names key " + encryptWith + ", which is not one of " + ids(keys));
    }
    this.keys = Map.copyOf(keys);
    this.encryptWith = encryptWith;
    this.encryptWithBytes = ByteString.copyFromUtf8(encryptWith);
  }

  @Override
  public List<Payload> encode(List<Payload> payloads) {
    return payloads.stream().map(this::encrypt).toList();
  }

  @Override
  public List<Payload> decode(List<Payload> payloads) {
    return payloads.stream().map(this::decrypt).toList();
  }

  /** Whether {@code payload} is one this codec encrypted (with any key). */
  public static boolean encrypted(Payload payload) {
    return ENCODING_BYTES.equals(payload.getMetadataOrDefault("encoding", ByteString.EMPTY));
  }

  private Payload encrypt(Payload payload) {
    byte[] iv = new byte[IV_BYTES];
    random.nextBytes(iv);
    try {
      Cipher cipher = Cipher.getInstance(CIPHER);
      cipher.init(Cipher.ENCRYPT_MODE, keys.get(encryptWith), new GCMParameterSpec(TAG_BITS, iv));
      byte[] plain = payload.toByteArray();
      byte[] out = new byte[IV_BYTES + cipher.getOutputSize(plain.length)];
      System.arraycopy(iv, 0, out, 0, IV_BYTES);
      cipher.doFinal(plain, 0, plain.length, out, IV_BYTES);
      return Payload.newBuilder()
          .putMetadata("encoding", ENCODING_BYTES)
          .putMetadata(KEY_ID, encryptWithBytes)
          .setData(ByteString.copyFrom(out))
          .build();
    } catch (GeneralSecurityException e) {
      throw new PayloadCodecException(
          "encrypting a payload with key " + encryptWith + " failed", e);
    }
  }

  private Payload decrypt(Payload payload) {
    if (!encrypted(payload)) {
      return payload;
    }
    ByteString idBytes = payload.getMetadataOrDefault(KEY_ID, null);
    if (idBytes == null) {
      throw new PayloadCodecException(
          "an encrypted payload names no key (metadata " + KEY_ID + " is missing)");
    }
    String id = idBytes.toString(StandardCharsets.UTF_8);
    SecretKey key = keys.get(id);
    if (key == null) {
      throw new PayloadCodecException(
          "a payload is encrypted with key "
              + id
              + ", which temporal.encryption.keys does not hold (it holds "
              + ids(keys)
              + "); add that key back to read it");
    }
    byte[] data = payload.getData().toByteArray();
    if (data.length < IV_BYTES + TAG_BITS / 8) {
      throw new PayloadCodecException(
          "a payload encrypted with key " + id + " is too short to be one (" + data.length + " B)");
    }
    try {
      Cipher cipher = Cipher.getInstance(CIPHER);
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, data, 0, IV_BYTES));
      return Payload.parseFrom(cipher.doFinal(data, IV_BYTES, data.length - IV_BYTES));
    } catch (AEADBadTagException e) {
      throw new PayloadCodecException(
          "a payload encrypted with key "
              + id
              + " does not authenticate: it was altered, or that id now names another key",
          e);
    } catch (InvalidProtocolBufferException e) {
      throw new PayloadCodecException(
          "a payload encrypted with key " + id + " does not hold a Temporal payload", e);
    } catch (GeneralSecurityException e) {
      throw new PayloadCodecException("decrypting a payload with key " + id + " failed", e);
    }
  }

  private static String ids(Map<String, ?> keys) {
    return String.join(", ", new TreeSet<>(keys.keySet()));
  }
}
