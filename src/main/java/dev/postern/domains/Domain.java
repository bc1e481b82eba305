package dev.postern.domains;

import dev.postern.delivery.dkim.DkimAlgorithm;
import dev.postern.delivery.dkim.DkimRecord;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/**
 * A sending/receiving domain (SPEC §2) without its private key, which never leaves
 * {@link DomainService#dkimKey} unsealed.
 *
 * @param dkimAlgorithm the {@code a=} tag ({@link DkimAlgorithm#tag()})
 * @param dkimPublicKey base64 SubjectPublicKeyInfo, from which {@link DkimRecord} derives the
 *     published {@code p=}
 * @param catchAllMailboxId the mailbox that receives mail for this domain's unknown local parts
 *     (SPEC §5), or null: those are refused 550 5.1.1
 */
public record Domain(UUID id, String name, String verificationToken, OffsetDateTime verifiedAt,
    String dkimSelector, String dkimAlgorithm, String dkimPublicKey, OffsetDateTime createdAt,
    UUID catchAllMailboxId) {

  public static final String VERIFICATION_LABEL = "_postern-verification";
  public static final String VERIFICATION_PREFIX = "postern-verification=";

  /** A domain without a catch-all. */
  public Domain(UUID id, String name, String verificationToken, OffsetDateTime verifiedAt,
      String dkimSelector, String dkimAlgorithm, String dkimPublicKey, OffsetDateTime createdAt) {
    this(id, name, verificationToken, verifiedAt, dkimSelector, dkimAlgorithm, dkimPublicKey,
        createdAt, null);
  }

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

  /** The DKIM key record operators publish (RFC 6376 §3.6.1, RFC 8463 §4.2 for ed25519). */
  public DkimRecord dkimRecord() {
    return DkimRecord.of(dkimSelector, name, DkimAlgorithm.fromTag(dkimAlgorithm), dkimPublicKey);
  }

  /**
   * The admin API's view: {@code {id, name, verified, verified_at, created_at,
   * catch_all_mailbox_id, dkim, dns}}.
   */
  public JsonObject toJson() {
    DkimRecord dkim = dkimRecord();
    return new JsonObject()
        .put("id", id.toString())
        .put("name", name)
        .put("verified", verified())
        .put("verified_at", verifiedAt == null ? null : verifiedAt.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
        .put("created_at", createdAt.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
        .put("catch_all_mailbox_id", catchAllMailboxId == null ? null : catchAllMailboxId.toString())
        .put("dkim", new JsonObject().put("selector", dkimSelector).put("algorithm", dkimAlgorithm))
        .put("dns", new JsonArray()
            .add(txt(verificationRecordName(), verificationRecordValue()))
            .add(txt(dkim.name(), dkim.value())));
  }

  private static JsonObject txt(String name, String value) {
    return new JsonObject().put("type", "TXT").put("name", name).put("value", value);
  }
}
