package dev.postern.keys;

/**
 * Every column that holds a {@link KeyVault}-sealed value (SPEC §2 "Key format and storage"):
 * each row's value is sealed with the row's id as associated data, under the column's HKDF info
 * label, and records its master version in the table's {@code master_version}. A new sealed
 * column is added here, or master-secret rotation ({@code keys reseal}) and the start-up version
 * check miss it.
 *
 * @param table table name (a constant: safe to place in SQL text)
 * @param sealed the column with nonce || ciphertext || tag
 * @param salt the column with the per-row HKDF salt
 * @param wireName the name in the reseal response
 */
public enum SealedColumn {
  API_KEYS("api_keys", "key_sealed", "key_salt", KeyVault.API_KEY_INFO, "api_keys"),
  DKIM_KEYS("domains", "dkim_private_sealed", "dkim_private_salt", KeyVault.DKIM_KEY_INFO,
      "dkim_keys"),
  WEBHOOK_SECRETS("webhooks", "secret_sealed", "secret_salt", KeyVault.WEBHOOK_SECRET_INFO,
      "webhook_secrets");

  private final String table;
  private final String sealed;
  private final String salt;
  private final String info;
  private final String wireName;

  SealedColumn(String table, String sealed, String salt, String info, String wireName) {
    this.table = table;
    this.sealed = sealed;
    this.salt = salt;
    this.info = info;
    this.wireName = wireName;
  }

  public String table() {
    return table;
  }

  /** {@code table.column}, as an operator would look it up. */
  public String qualifiedName() {
    return table + "." + sealed;
  }

  String sealed() {
    return sealed;
  }

  String salt() {
    return salt;
  }

  /** The HKDF info label the column's values are sealed under. */
  public String info() {
    return info;
  }

  public String wireName() {
    return wireName;
  }
}
