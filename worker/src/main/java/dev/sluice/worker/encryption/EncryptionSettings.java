package dev.sluice.worker.encryption;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code temporal.encryption}: AES-GCM encryption of every payload Sluice hands Temporal. Off
 * unless {@code keys} lists a key. Keys are given by reference only — a file or an environment
 * variable holding the base64 of 32 bytes — so no secret is ever a value of the configuration.
 *
 * <pre>
 * temporal:
 *   encryption:
 *     encryptWith: k2
 *     keys:
 *       - {id: k2, env: SLUICE_PAYLOAD_KEY_K2}
 *       - {id: k1, file: /etc/sluice/payload-k1.key}
 * </pre>
 */
public class EncryptionSettings {

  private List<KeyRef> keys = new ArrayList<>();
  private String encryptWith;
  private String uiCodecEndpoint;
  private List<String> uiOrigins = new ArrayList<>();

  /** One key: its id (written into each payload it encrypts) and where its bytes are. */
  public static class KeyRef {
    private String id;
    private String file;
    private String env;

    public KeyRef() {}

    public KeyRef(String id, String file, String env) {
      this.id = id;
      this.file = file;
      this.env = env;
    }

    @JsonProperty
    public String getId() {
      return id;
    }

    @JsonProperty
    public void setId(String id) {
      this.id = id;
    }

    /** A file holding the key's base64; read at start. */
    @JsonProperty
    public String getFile() {
      return file;
    }

    @JsonProperty
    public void setFile(String file) {
      this.file = file;
    }

    /** The name of an environment variable holding the key's base64. */
    @JsonProperty
    public String getEnv() {
      return env;
    }

    @JsonProperty
    public void setEnv(String env) {
      this.env = env;
    }
  }

  /** Whether payloads are encrypted: some key is configured. */
  public boolean enabled() {
    return keys != null && !keys.isEmpty();
  }

  @JsonProperty
  public List<KeyRef> getKeys() {
    return keys;
  }

  @JsonProperty
  public void setKeys(List<KeyRef> keys) {
    this.keys = keys == null ? new ArrayList<>() : keys;
  }

  /** The id of the key new payloads are encrypted with; the others only decrypt. */
  @JsonProperty
  public String getEncryptWith() {
    return encryptWith;
  }

  @JsonProperty
  public void setEncryptWith(String encryptWith) {
    this.encryptWith = encryptWith;
  }

  /**
   * Where the Temporal UI finds Sluice's codec endpoint (e.g. {@code
   * https://sluice.example.com/api/v1/codec}); unset: worked out from {@code publicUrl} or the
   * API's fixed port.
   */
  @JsonProperty
  public String getUiCodecEndpoint() {
    return uiCodecEndpoint;
  }

  @JsonProperty
  public void setUiCodecEndpoint(String uiCodecEndpoint) {
    this.uiCodecEndpoint = uiCodecEndpoint;
  }

  /**
   * Origins (scheme://host:port) of Temporal UIs that may call the codec endpoint from the browser;
   * the dev server's UI is always one.
   */
  @JsonProperty
  public List<String> getUiOrigins() {
    return uiOrigins;
  }

  @JsonProperty
  public void setUiOrigins(List<String> uiOrigins) {
    this.uiOrigins = uiOrigins == null ? new ArrayList<>() : uiOrigins;
  }
}
