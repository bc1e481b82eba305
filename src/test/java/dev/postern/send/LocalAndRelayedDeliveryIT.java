package dev.postern.send;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.Eventually;
import dev.postern.support.GreenMailFixture;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue #13.8 with a relay configured: a message for one hosted and one remote recipient is
 * filed for the first and relayed only to the second; a standard-tier recipient's copy is filed
 * from clear facts computed at accept (no body kept readable), threaded by them.
 */
class LocalAndRelayedDeliveryIT {

  static final Duration WAIT = Duration.ofSeconds(20);

  static GreenMailFixture relay;
  static TestGateway gateway;
  static Pool pool;
  static String aliceKey;

  @BeforeAll
  static void start() {
    relay = GreenMailFixture.start();
    gateway = TestGateway.start(Map.of("POSTERN_RELAY_URL", relay.relayUrl()));
    pool = gateway.core().database().pool();
    for (String address : List.of("alice@mixed.test", "bob@mixed.test", "sealed@mixed.test")) {
      HttpResponse<String> created = gateway.admin("POST", "/admin/v1/mailboxes",
          new JsonObject().put("address", address).put("encryption_tier", "plaintext"));
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }
    // Standard tier: the key itself is not used by local delivery (nothing is encrypted here).
    pool.query("UPDATE mailboxes SET encryption_tier = 'standard', pgp_public_key = 'unused'"
        + " WHERE address = 'sealed@mixed.test'").execute().await();
    HttpResponse<String> key = gateway.admin("POST", "/admin/v1/keys", new JsonObject()
        .put("name", "k").put("mailbox", "alice@mixed.test").put("scope", "full_access"));
    assertThat(key.statusCode()).as(key.body()).isEqualTo(201);
    aliceKey = new JsonObject(key.body()).getString("key");
  }

  @AfterAll
  static void stop() {
    try {
      gateway.close();
    } finally {
      relay.close();
    }
  }

  static String send(JsonObject body) {
    HttpResponse<String> sent = gateway.withKey(aliceKey, "POST", "/v1/emails",
        body.put("from", "Alice <alice@mixed.test>").put("text", "Hello"));
    assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
    return new JsonObject(sent.body()).getString("id");
  }

  static JsonObject email(String id) {
    return new JsonObject(gateway.withKey(aliceKey, "GET", "/v1/emails/" + id, null).body());
  }

  static List<Row> filedFrom(String outboundId) {
    List<Row> out = new ArrayList<>();
    pool.preparedQuery("""
            SELECT mb.address, m.folder, m.encrypted, m.subject, m.text_body, m.message_id_header,
                   m.in_reply_to, m.from_name, m.from_address, m.thread_id, r.source, r.encrypted AS raw_encrypted
              FROM mail_messages m JOIN inbound_raw r ON r.id = m.raw_id
              JOIN mailboxes mb ON mb.id = m.mailbox_id
             WHERE r.outbound_id = $1 ORDER BY mb.address, m.folder""")
        .execute(Tuple.of(UUID.fromString(outboundId))).await().forEach(out::add);
    return out;
  }

  @Test
  void theHostedRecipientIsFiledAndOnlyTheRemoteOneIsRelayed() {
    String subject = "Mixed " + UUID.randomUUID();
    String id = send(new JsonObject().put("subject", subject)
        .put("to", new JsonArray().add("bob@mixed.test").add("carol@dest.test")));
    Eventually.until(WAIT, () -> java.util.Arrays.stream(relay.server()
        .getReceivedMessagesForDomain("carol@dest.test")).anyMatch(m -> subjectOf(m).equals(subject)),
        () -> "relayed to carol");
    Eventually.until(WAIT, () -> "delivered".equals(email(id).getString("status")),
        () -> "status of " + id + ": " + email(id).encode());
    // GreenMail keeps one copy per envelope recipient (RCPT TO): carol's is the only one.
    assertThat(java.util.Arrays.stream(relay.server().getReceivedMessages())
        .filter(m -> subjectOf(m).equals(subject)).count())
        .as("the hosted recipient is never relayed").isEqualTo(1);
    assertThat(relay.server().getUserManager().getUserByEmail("bob@mixed.test")).isNull();
    Eventually.until(WAIT, () -> filedFrom(id).size() == 2, () -> "bob's and alice's copies");
    List<Row> filed = filedFrom(id);
    assertThat(filed.stream().map(r -> r.getString("address") + "/" + r.getString("folder")
        + "/" + r.getString("source"))).containsExactly("alice@mixed.test/sent/sent",
        "bob@mixed.test/inbox/local");
    assertThat(filed.get(1).getString("subject")).isEqualTo(subject);
    assertThat(filed.get(1).getString("text_body")).contains("Hello");
    JsonObject bob = email(id).getJsonArray("recipients").stream().map(JsonObject.class::cast)
        .filter(r -> r.getString("address").equals("bob@mixed.test")).findFirst().orElseThrow();
    assertThat(bob.getString("reply")).isEqualTo("250 2.0.0 filed locally");
  }

  @Test
  void aStandardTierRecipientIsFiledFromClearFactsAndThreadedByThem() {
    String subject = "Sealed " + UUID.randomUUID();
    String first = send(new JsonObject().put("subject", subject)
        .put("to", new JsonArray().add("sealed@mixed.test")));
    Eventually.until(WAIT, () -> filedFrom(first).stream()
        .anyMatch(r -> r.getString("address").equals("sealed@mixed.test")), () -> "sealed copy");
    Row sealed = filedFrom(first).stream()
        .filter(r -> r.getString("address").equals("sealed@mixed.test")).findFirst().orElseThrow();
    assertThat(sealed.getBoolean("encrypted")).isTrue();
    assertThat(sealed.getBoolean("raw_encrypted")).isTrue();
    assertThat(sealed.getString("subject")).as("subject stays out of the clear").isNull();
    assertThat(sealed.getString("text_body")).isNull();
    assertThat(sealed.getString("from_address")).isEqualTo("alice@mixed.test");
    assertThat(sealed.getString("from_name")).isEqualTo("Alice");

    String messageId = sealed.getString("message_id_header");
    String second = send(new JsonObject().put("subject", "Re: " + subject)
        .put("to", new JsonArray().add("sealed@mixed.test"))
        .put("in_reply_to", "<" + messageId + ">"));
    Eventually.until(WAIT, () -> filedFrom(second).stream()
        .anyMatch(r -> r.getString("address").equals("sealed@mixed.test")), () -> "sealed reply");
    Row reply = filedFrom(second).stream()
        .filter(r -> r.getString("address").equals("sealed@mixed.test")).findFirst().orElseThrow();
    assertThat(reply.getString("in_reply_to")).isEqualTo(messageId);
    assertThat(reply.getUUID("thread_id")).isEqualTo(sealed.getUUID("thread_id"));
  }

  private static String subjectOf(jakarta.mail.internet.MimeMessage m) {
    try {
      return String.valueOf(m.getSubject());
    } catch (jakarta.mail.MessagingException e) {
      throw new IllegalStateException(e);
    }
  }
}
