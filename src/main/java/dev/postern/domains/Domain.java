package dev.postern.domains;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/**
 * A sending/receiving domain (SPEC §2) without its private key, which never leaves
 * {@link DomainService#dkimKey} unsealed.
 *
 * @param dkimPublicKey base64 SubjectPublicKeyInfo, as published in DNS
 */
public record Domain(UUID id, String name, String verificationToken, OffsetDateTime verifiedAt,
    String dkimSelector, String dkimAlgorithm, String dkimPublicKey, OffsetDateTime createdAt) {

  public static final String VERIFICATION_LABEL = "_postern-verification";
  public static final String VERIFICATION_PREFIX = "postern-verification=";

  public boolean verified() {
    return verifiedAt != null;
  }

  /** Where the verification TXT record lives. */
  public String verificationRecordName() {
    return VERIFICATION_LABEL + "." + name;
  }

  public String verificationRecordValue() {
    return VERIFICATION_PREFIX + verificationToken;
  }

  /** RFC 6376 §3.6.2.2: {@code <selector>._domainkey.<domain>}. */
  public String dkimRecordName() {
    return dkimSelector + "._domainkey." + name;
  }

  /** RFC 6376 §3.6.1 key record. */
  public String dkimRecordValue() {
    String k = dkimAlgorithm.startsWith("ed25519") ? "ed25519" : "rsa";
    return "v=DKIM1; k=" + k + "; p=" + dkimPublicKey;
  }

  /** The admin API's view: {@code {id, name, verified, verified_at, created_at, dkim, dns}}. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id.toString())
        .put("name", name)
        .put("verified", verified())
        .put("verified_at", verifiedAt == null ? null : verifiedAt.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
        .put("created_at", createdAt.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
        .put("dkim", new JsonObject().put("selector", dkimSelector).put("algorithm", dkimAlgorithm))
        .put("dns", new JsonArray()
            .add(txt(verificationRecordName(), verificationRecordValue()))
            .add(txt(dkimRecordName(), dkimRecordValue())));
  }

  private static JsonObject txt(String name, String value) {
    return new JsonObject().put("type", "TXT").put("name", name).put("value", value);
  }
}
