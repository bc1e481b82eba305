package dev.postern.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.inbound.pgp.PgpDecryption;
import dev.postern.inbound.pgp.TestPgpKeys;
import dev.postern.support.DataDirScan;
import dev.postern.support.Eventually;
import dev.postern.support.FreePort;
import dev.postern.support.SmtpWire;
import dev.postern.support.TestGateway;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue #13 item 6 through the MX: a {@code standard}-tier mailbox's mail is stored only as an
 * OpenPGP message to its key (which the test's private key decrypts back to exactly what was
 * received), with the clear facts for listing; a transaction for both tiers stores two raws; the
 * encrypted message is filed, listed, and its body answers 409; and nowhere in the data directory
 * (blob store) or the embedded PostgreSQL's files (WAL included) is any 32-octet window of its body.
 */
class MxStandardTierIT {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String SENDER = "sender@elsewhere.example";
  private static final String VAULT = "vault@sealed.example";
  private static final String VAULT2 = "vault2@sealed.example";
  private static final String PLAIN = "open@sealed.example";

  private static TestGateway gateway;
  private static SmtpKit kit;
  private static int mx;
  private static String vaultKey;

  @BeforeAll
  static void start() {
    mx = FreePort.next();
    gateway = TestGateway.start(Map.of("POSTERN_MX_PORT", Integer.toString(mx),
        "POSTERN_SMTP_HOST", "127.0.0.1"));
    kit = new SmtpKit(gateway);
    standardMailbox(VAULT, TestPgpKeys.rsa2048());
    standardMailbox(VAULT2, TestPgpKeys.curve25519());
    kit.mailbox(PLAIN);
    HttpResponse<String> key = gateway.admin("POST", "/admin/v1/keys", new JsonObject()
        .put("name", "vault").put("mailbox", VAULT).put("scope", "full_access"));
    assertThat(key.statusCode()).as(key.body()).isEqualTo(201);
    vaultKey = new JsonObject(key.body()).getString("key");
  }

  @AfterAll
  static void stop() {
    if (kit != null) {
      kit.close();
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  private static void standardMailbox(String address, TestPgpKeys keys) {
    HttpResponse<String> created = gateway.admin("POST", "/admin/v1/mailboxes", new JsonObject()
        .put("address", address).put("encryption_tier", "standard")
        .put("pgp_public_key", keys.armouredPublic()));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
  }

  /** Random letters and digits: nothing else in the data directory looks like it. */
  private static String secretBody(int length) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    StringBuilder body = new StringBuilder(length + length / 70 * 2);
    for (int i = 0; i < length; i++) {
      body.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
      if (i % 70 == 69) {
        body.append("\r\n");
      }
    }
    return body.toString();
  }

  private static String message(String to, String subject, String messageId, String body) {
    return "From: =?UTF-8?B?w4lsb2RpZQ==?= <sender@elsewhere.example>\r\nTo: " + to
        + "\r\nCc: Carol <carol@elsewhere.example>\r\nSubject: " + subject
        + "\r\nDate: Tue, 2 Jun 2026 10:00:00 +0200\r\nMessage-ID: <" + messageId
        + ">\r\nIn-Reply-To: <parent@elsewhere.example>\r\nReferences: <root@elsewhere.example>"
        + " <parent@elsewhere.example>\r\n\r\n" + body;
  }

  private static String send(List<String> to, String message) throws Exception {
    try (SmtpWire smtp = MxKit.greeted(mx)) {
      return SmtpKit.queuedId(MxKit.deliver(smtp, SENDER, to, message));
    }
  }

  private static Row raw(String rawId) {
    return kit.query("SELECT encrypted, clear_facts, mime_inline, blob_key, mime_size"
        + " FROM inbound_raw WHERE id = $1::uuid", rawId).iterator().next();
  }

  private static byte[] stored(Row raw) {
    Buffer inline = raw.getBuffer("mime_inline");
    return inline != null ? inline.getBytes()
        : gateway.core().blobs().get(raw.getString("blob_key")).await().getBytes();
  }

  private static String decrypt(byte[] ciphertext, TestPgpKeys keys) throws Exception {
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    PgpDecryption.Decrypted result = PgpDecryption.decrypt(new ByteArrayInputStream(ciphertext),
        keys, plain);
    assertThat(result.integrityChecked()).isTrue();
    assertThat(result.fileName()).isEqualTo("message.eml");
    return plain.toString(StandardCharsets.UTF_8);
  }

  /** The filed message of {@code mailbox} for a Message-ID, once filing has run. */
  private static Row filed(String mailbox, String messageId) {
    String sql = "SELECT m.* FROM mail_messages m JOIN mailboxes b ON b.id = m.mailbox_id"
        + " WHERE b.address = $1 AND m.message_id_header = $2";
    Eventually.until(Duration.ofSeconds(30), () -> kit.query(sql, mailbox, messageId).size() == 1,
        () -> messageId + " not filed for " + mailbox);
    return kit.query(sql, mailbox, messageId).iterator().next();
  }

  @Test
  void aStandardTierMessageIsStoredOnlyAsCiphertextThatTheMailboxKeyDecrypts() throws Exception {
    // Over the inline limit (256 KiB): the ciphertext streams into the blob store.
    for (int size : List.of(2_000, 400_000)) {
      String messageId = UUID.randomUUID() + "@elsewhere.example";
      String body = secretBody(size);
      String message = message(VAULT, "=?ISO-8859-1?Q?Caf=E9?= secret", messageId, body);
      String rawId = send(List.of(VAULT), message);

      Row raw = raw(rawId);
      assertThat(raw.getBoolean("encrypted")).isTrue();
      assertThat(raw.getString("blob_key") != null).isEqualTo(size > 300_000);
      byte[] ciphertext = stored(raw);
      assertThat(new String(ciphertext, StandardCharsets.ISO_8859_1)).doesNotContain("secret")
          .doesNotContain(body.substring(0, 40));
      assertThat(raw.getLong("mime_size")).isEqualTo(ciphertext.length);
      String plaintext = decrypt(ciphertext, TestPgpKeys.rsa2048());
      assertThat(plaintext).contains("by localhost (Postern) with ESMTP id " + rawId);
      assertThat(MxKit.withoutTrace(plaintext)).isEqualTo(MxKit.asReceived(message));

      JsonObject facts = new JsonObject(raw.getValue("clear_facts").toString());
      assertThat(facts).isEqualTo(new JsonObject().put("message_id", messageId)
          .put("in_reply_to", "parent@elsewhere.example")
          .put("references", new JsonArray().add("root@elsewhere.example")
              .add("parent@elsewhere.example"))
          .put("from_name", "Élodie").put("from_address", SENDER)
          .put("to", new JsonArray().add(VAULT))
          .put("cc", new JsonArray().add("carol@elsewhere.example"))
          .put("date", "2026-06-02T08:00:00Z"));

      Row filed = filed(VAULT, messageId);
      assertThat(filed.getBoolean("encrypted")).isTrue();
      assertThat(filed.getBoolean("parse_failed")).isFalse();
      assertThat(filed.getString("subject")).isNull();
      assertThat(filed.getString("text_body")).isNull();
      assertThat(filed.getString("from_address")).isEqualTo(SENDER);
      assertThat(filed.getString("in_reply_to")).isEqualTo("parent@elsewhere.example");

      // Listed through the inbox API; its body is not readable there (SPEC: 409).
      HttpResponse<String> list = gateway.withKey(vaultKey, "GET", "/v1/inbox/messages", null);
      assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
      assertThat(list.body()).contains(filed.getUUID("id").toString());
      HttpResponse<String> read = gateway.withKey(vaultKey, "GET",
          "/v1/inbox/messages/" + filed.getUUID("id"), null);
      assertThat(read.statusCode()).as(read.body()).isEqualTo(409);
      assertThat(new JsonObject(read.body()).getString("name"))
          .isEqualTo("mailbox_not_api_readable");
    }
  }

  @Test
  void aTransactionForBothTiersStoresAPlaintextRawAndOneCiphertextForEveryStandardKey()
      throws Exception {
    String messageId = UUID.randomUUID() + "@elsewhere.example";
    String body = secretBody(5_000);
    String message = message(PLAIN + ", " + VAULT, "Mixed", messageId, body);
    String rawId = send(List.of(PLAIN, VAULT, VAULT2), message);

    List<Row> raws = new java.util.ArrayList<>();
    kit.query("SELECT DISTINCT r.id, r.encrypted FROM inbound_raw r"
        + " JOIN inbound_deliveries d ON d.raw_id = r.id WHERE d.dedupe_key LIKE $1"
        + " ORDER BY r.encrypted", dedupePrefix(messageId) + "%").forEach(raws::add);
    assertThat(raws).hasSize(2);
    assertThat(raws.get(0).getUUID("id").toString()).isEqualTo(rawId); // the 250's id: plaintext
    assertThat(raws.get(0).getBoolean("encrypted")).isFalse();
    assertThat(raws.get(1).getBoolean("encrypted")).isTrue();
    String encryptedId = raws.get(1).getUUID("id").toString();
    assertThat(MxKit.deliveredTo(kit, rawId)).containsExactly(PLAIN);
    assertThat(MxKit.deliveredTo(kit, encryptedId)).containsExactlyInAnyOrder(VAULT, VAULT2);

    String plaintextRaw = MxKit.inlineRaw(kit, rawId);
    assertThat(MxKit.withoutTrace(plaintextRaw)).isEqualTo(MxKit.asReceived(message));
    byte[] ciphertext = stored(raw(encryptedId));
    for (TestPgpKeys keys : List.of(TestPgpKeys.rsa2048(), TestPgpKeys.curve25519())) {
      // One trace field for the transaction, the same in both raws.
      assertThat(decrypt(ciphertext, keys)).isEqualTo(plaintextRaw);
    }

    assertThat(filed(PLAIN, messageId).getString("subject")).isEqualTo("Mixed");
    assertThat(filed(PLAIN, messageId).getString("text_body")).contains(body.substring(0, 60));
    for (String vault : List.of(VAULT, VAULT2)) {
      Row sealed = filed(vault, messageId);
      assertThat(sealed.getBoolean("encrypted")).isTrue();
      assertThat(sealed.getString("subject")).isNull();
    }
  }

  @Test
  void aRetryOfAStandardTierMessageIsNotStoredTwice() throws Exception {
    String messageId = UUID.randomUUID() + "@elsewhere.example";
    String message = message(VAULT, "Twice", messageId, secretBody(1_000));
    String first = send(List.of(VAULT), message);
    String again = send(List.of(VAULT), message);
    assertThat(again).isEqualTo(first);
    assertThat(kit.count("SELECT count(*) FROM inbound_deliveries WHERE dedupe_key LIKE $1",
        dedupePrefix(messageId) + "%")).isEqualTo(1);
    assertThat(kit.count("SELECT count(*) FROM inbound_raw WHERE clear_facts->>'message_id' = $1",
        messageId)).isEqualTo(1);
  }

  @Test
  void noWindowOfAStandardTierBodyIsAnywhereInTheDataDirectory() throws Exception {
    String sealedBody = secretBody(20_000);
    String sealedId = UUID.randomUUID() + "@elsewhere.example";
    // Over the inline limit (256 KiB): a blob, for each tier.
    String bigSealedBody = secretBody(300_000);
    String bigSealedId = UUID.randomUUID() + "@elsewhere.example";
    String openBody = secretBody(300_000);
    String openId = UUID.randomUUID() + "@elsewhere.example";
    send(List.of(VAULT), message(VAULT, "Sealed", sealedId, sealedBody));
    send(List.of(VAULT, VAULT2), message(VAULT, "Big", bigSealedId, bigSealedBody));
    send(List.of(PLAIN), message(PLAIN, "Open", openId, openBody));
    filed(VAULT, sealedId);
    filed(VAULT2, bigSealedId);
    filed(PLAIN, openId);
    kit.query("CHECKPOINT");

    // The embedded PostgreSQL's own directory (the test fixture keeps it outside the gateway's
    // data directory) and the gateway's data directory with its blob store.
    java.nio.file.Path pgData = java.nio.file.Path.of(kit.query(
        "SELECT current_setting('data_directory')").iterator().next().getString(0));
    // The positive control: the plaintext-tier body is found, in the blob store (its raw) and
    // in the database (its parsed text), so the scan does see bodies in both.
    byte[] open = openBody.getBytes(StandardCharsets.US_ASCII);
    assertThat(DataDirScan.filesContaining(gateway.dataDir(), open))
        .anyMatch(path -> path.startsWith("blobs"));
    assertThat(DataDirScan.filesContaining(pgData, open)).isNotEmpty();
    for (String secret : List.of(sealedBody, bigSealedBody)) {
      byte[] bytes = secret.getBytes(StandardCharsets.US_ASCII);
      assertThat(DataDirScan.filesContaining(gateway.dataDir(), bytes)).isEmpty();
      assertThat(DataDirScan.filesContaining(pgData, bytes)).isEmpty();
    }
  }

  private static String dedupePrefix(String messageId) throws Exception {
    byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
        .digest(("<" + messageId + ">").getBytes(StandardCharsets.UTF_8));
    return java.util.HexFormat.of().formatHex(digest) + ":";
  }
}
