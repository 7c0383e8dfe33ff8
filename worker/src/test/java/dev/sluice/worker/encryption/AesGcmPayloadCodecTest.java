package dev.sluice.worker.encryption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DataConverter;
import io.temporal.payload.codec.PayloadCodecException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** AES-GCM payload encryption with key ids, as clients, workers and the codec endpoint use it. */
class AesGcmPayloadCodecTest {

  static final String K1 = key();
  static final String K2 = key();

  static String key() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  static EncryptionSettings settings(String encryptWith, String... ids) {
    EncryptionSettings settings = new EncryptionSettings();
    for (String id : ids) {
      settings.getKeys().add(new EncryptionSettings.KeyRef(id, null, "KEY_" + id));
    }
    settings.setEncryptWith(encryptWith);
    return settings;
  }

  static PayloadEncryption load(EncryptionSettings settings) {
    Map<String, String> env = Map.of("KEY_k1", K1, "KEY_k2", K2, "KEY_short", "c2hvcnQ=");
    return PayloadEncryption.load(settings, env::get);
  }

  static Payload json(String text) {
    return Payload.newBuilder()
        .putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
        .setData(ByteString.copyFromUtf8(text))
        .build();
  }

  @Test
  void aPayloadComesBackWholeAndItsMetadataIsHidden() {
    PayloadEncryption encryption = load(settings("k1", "k1"));
    Payload plain = json("{\"service\":\"checkout\",\"version\":\"2.3.1\"}");

    Payload encrypted = encryption.encode(List.of(plain)).get(0);

    assertThat(encrypted.getMetadataMap())
        .containsOnlyKeys("encoding", AesGcmPayloadCodec.KEY_ID)
        .containsEntry("encoding", ByteString.copyFromUtf8("binary/encrypted"))
        .containsEntry(AesGcmPayloadCodec.KEY_ID, ByteString.copyFromUtf8("k1"));
    String raw = encrypted.toByteString().toString(StandardCharsets.ISO_8859_1);
    assertThat(raw).doesNotContain("checkout").doesNotContain("2.3.1").doesNotContain("json");
    assertThat(encryption.decode(List.of(encrypted))).containsExactly(plain);
  }

  @Test
  void theSamePayloadEncryptsDifferentlyEachTime() {
    PayloadEncryption encryption = load(settings("k1", "k1"));
    Payload plain = json("\"same\"");

    Payload first = encryption.encode(List.of(plain)).get(0);
    Payload second = encryption.encode(List.of(plain)).get(0);

    assertThat(first.getData()).isNotEqualTo(second.getData());
    assertThat(first.getData().substring(0, 12)).isNotEqualTo(second.getData().substring(0, 12));
  }

  @Test
  void alteredCiphertextIsRefusedNamingTheKey() {
    PayloadEncryption encryption = load(settings("k1", "k1"));
    Payload encrypted = encryption.encode(List.of(json("\"x\""))).get(0);
    byte[] data = encrypted.getData().toByteArray();
    data[data.length - 20] ^= 1;
    Payload altered = encrypted.toBuilder().setData(ByteString.copyFrom(data)).build();

    assertThatThrownBy(() -> encryption.decode(List.of(altered)))
        .isInstanceOf(PayloadCodecException.class)
        .hasMessageContaining("key k1")
        .hasMessageContaining("does not authenticate");
  }

  @Test
  void afterARotationOldPayloadsStillDecodeAndNewOnesUseTheNewKey() {
    PayloadEncryption before = load(settings("k1", "k1"));
    Payload old = before.encode(List.of(json("\"written under k1\""))).get(0);

    PayloadEncryption after = load(settings("k2", "k2", "k1"));
    Payload fresh = after.encode(List.of(json("\"written under k2\""))).get(0);

    assertThat(after.decode(List.of(old))).containsExactly(json("\"written under k1\""));
    assertThat(fresh.getMetadataOrThrow(AesGcmPayloadCodec.KEY_ID).toStringUtf8()).isEqualTo("k2");
    assertThatThrownBy(() -> before.decode(List.of(fresh)))
        .isInstanceOf(PayloadCodecException.class)
        .hasMessageContaining("encrypted with key k2")
        .hasMessageContaining("holds k1");
  }

  @Test
  void aPlainPayloadPassesThrough() {
    PayloadEncryption encryption = load(settings("k1", "k1"));
    Payload plain = json("\"from before encryption was on\"");

    assertThat(encryption.decode(List.of(plain))).containsExactly(plain);
  }

  @Test
  void theDataConverterWritesOnlyCiphertextAndReadsItBack() {
    DataConverter converter = load(settings("k1", "k1")).dataConverter();

    Payload payload = converter.toPayload("checkout 2.3.1").orElseThrow();

    assertThat(AesGcmPayloadCodec.encrypted(payload)).isTrue();
    assertThat(payload.getData().toString(StandardCharsets.ISO_8859_1)).doesNotContain("checkout");
    assertThat(converter.fromPayload(payload, String.class, String.class))
        .isEqualTo("checkout 2.3.1");
  }

  @Test
  void aKeyOfTheWrongLengthIsRefusedNamingItsIdButNotItsValue() {
    assertThatThrownBy(() -> load(settings("short", "short")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key short")
        .hasMessageContaining("environment variable KEY_short holds 5 bytes; a key is 32")
        .hasMessageNotContaining("c2hvcnQ=");
  }

  @Test
  void anUnknownCurrentKeyAndAKeyGivenTwoWaysAreNamedBeforeAnyKeyIsRead() {
    EncryptionSettings settings = settings("k3", "k1");
    settings.getKeys().add(new EncryptionSettings.KeyRef("both", "/tmp/x", "KEY_k1"));

    assertThat(PayloadEncryption.shapeProblems(settings))
        .anySatisfy(p -> assertThat(p).contains("key both: give exactly one of file"))
        .anySatisfy(p -> assertThat(p).contains("encryptWith names key k3"));
    assertThatThrownBy(() -> load(settings)).hasMessageContaining("encryptWith names key k3");
  }

  @Test
  void aMissingVariableOrFileIsNamedWithItsKey() {
    EncryptionSettings settings = settings("k1", "k1", "gone");
    settings.getKeys().add(new EncryptionSettings.KeyRef("lost", "/nonexistent/k.key", null));

    assertThat(PayloadEncryption.shapeProblems(settings)).isEmpty();
    assertThatThrownBy(() -> load(settings))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key gone: environment variable KEY_gone is not set")
        .hasMessageContaining("key lost: cannot read file /nonexistent/k.key");
  }

  @Test
  void withoutKeysNothingIsEncrypted() {
    PayloadEncryption off = PayloadEncryption.load(new EncryptionSettings(), name -> null);

    assertThat(off.enabled()).isFalse();
    assertThat(off.encode(List.of(json("1")))).containsExactly(json("1"));
  }
}
