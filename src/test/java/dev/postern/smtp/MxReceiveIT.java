package dev.postern.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.Eventually;
import dev.postern.support.FreePort;
import dev.postern.support.SmtpWire;
import dev.postern.support.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Row;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue #13 items 1, 2, 9 over real sockets: the MX takes mail for hosted mailboxes only, and its
 * 250 comes after one commit of the raw message and a delivery row per mailbox. Recipient rules
 * (case, sub-address, catch-all, unknown, foreign, full) are answered at RCPT; what is stored is
 * our {@code Received:} field and then exactly the octets received.
 */
class MxReceiveIT {

  private static final String SENDER = "sender@elsewhere.example";
  /** The configured default quota; one mailbox is set full against it. */
  private static final long QUOTA = 1_000_000;

  private static TestGateway gateway;
  private static SmtpKit kit;
  private static int mx;
  private static Vertx vertx;
  private static PgSubscriber subscriber;
  private static final AtomicInteger notified = new AtomicInteger();

  @BeforeAll
  static void start() {
    mx = FreePort.next();
    gateway = TestGateway.start(Map.of("POSTERN_MX_PORT", Integer.toString(mx),
        "POSTERN_SMTP_HOST", "127.0.0.1", "POSTERN_MAILBOX_QUOTA_BYTES", Long.toString(QUOTA)));
    kit = new SmtpKit(gateway);
    for (String address : List.of("a@hosted.example", "b@hosted.example", "c@hosted.example",
        "bot@hosted.example", "full@hosted.example", "roomy@hosted.example",
        "anything@catchall.example", "other@elsewhere-hosted.example")) {
      kit.mailbox(address);
    }
    kit.query("UPDATE mailboxes SET storage_used_bytes = $1 WHERE address = 'full@hosted.example'",
        QUOTA);
    // Its own quota overrides the default: as full against the default, but not against its own.
    kit.query("UPDATE mailboxes SET storage_used_bytes = $1, storage_quota_bytes = $2"
        + " WHERE address = 'roomy@hosted.example'", QUOTA, 2 * QUOTA);
    vertx = Vertx.vertx();
    subscriber = PgSubscriber.subscriber(vertx, PgConnectOptions.fromUri(gateway.pgUrl()));
    subscriber.channel("postern_inbound").handler(payload -> notified.incrementAndGet());
    subscriber.connect().await();
  }

  @AfterAll
  static void stop() {
    if (subscriber != null) {
      subscriber.close().await();
    }
    if (vertx != null) {
      vertx.close().await();
    }
    if (kit != null) {
      kit.close();
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void threeMailboxesGetOneRawMessageAndThreeDeliveriesAfterOneCommit() throws Exception {
    String message = MxKit.message("to three", UUID.randomUUID() + "@elsewhere.example");
    int before = notified.get();
    String id;
    try (SmtpWire smtp = MxKit.greeted(mx)) {
      id = SmtpKit.queuedId(MxKit.deliver(smtp, SENDER,
          List.of("a@hosted.example", "B@Hosted.Example", "c@hosted.example"), message));
    }
    Row raw = kit.query("SELECT source, envelope_from, helo, remote_addr, encrypted, blob_key,"
        + " mime_size FROM inbound_raw WHERE id = $1::uuid", id).iterator().next();
    assertThat(raw.getString("source")).isEqualTo("mx");
    assertThat(raw.getString("envelope_from")).isEqualTo(SENDER);
    assertThat(raw.getString("helo")).isEqualTo("client.example");
    assertThat(raw.getString("remote_addr")).isEqualTo("127.0.0.1");
    assertThat(raw.getBoolean("encrypted")).isFalse();
    assertThat(raw.getString("blob_key")).isNull();
    assertThat(MxKit.deliveredTo(kit, id))
        .containsExactly("a@hosted.example", "b@hosted.example", "c@hosted.example");
    // The filing pipeline runs in this gateway and may already have filed some of them
    // (a fresh-clone CI run caught one filed before this query): pending or filed, never failed.
    assertThat(kit.count("SELECT count(*) FROM inbound_deliveries WHERE raw_id = $1::uuid"
        + " AND state IN ('pending', 'filed') AND folder = 'inbox' AND dedupe_key LIKE '%:%'", id))
        .isEqualTo(3);

    // RFC 5321 §4.4: our trace field first, then the octets received, untouched.
    String stored = MxKit.inlineRaw(kit, id);
    assertThat(stored).startsWith("Received: from client.example ([127.0.0.1])\r\n\tby localhost"
        + " (Postern) with ESMTP id " + id + ";\r\n\t");
    assertThat(stored).as("no 'for' clause with several recipients").doesNotContain("\tfor <");
    assertThat(MxKit.withoutTrace(stored)).isEqualTo(MxKit.asReceived(message));
    assertThat(raw.getLong("mime_size")).isEqualTo(stored.length());
    Eventually.until(Duration.ofSeconds(10), () -> notified.get() > before,
        () -> "no NOTIFY postern_inbound after the commit");
  }

  /**
   * RFC 2920: MAIL, the RCPTs and DATA in one write, as Postfix's smtp client sends them. The
   * MX answers RCPT after a lookup, while DATA is already decoded behind it: the late RCPT reply
   * once resumed the decoder in DATA's place, and the 354 then failed on the event loop.
   */
  @Test
  void pipelinedMailRcptAndDataAreAnsweredInOrderAndTheMessageIsKept() throws Exception {
    String message = MxKit.message("pipelined", UUID.randomUUID() + "@elsewhere.example");
    String id;
    try (SmtpWire smtp = MxKit.greeted(mx)) {
      smtp.send("MAIL FROM:<" + SENDER + ">\r\nRCPT TO:<a@hosted.example>\r\n"
          + "RCPT TO:<b@hosted.example>\r\nDATA\r\n");
      for (int code : new int[] {250, 250, 250, 354}) {
        assertThat(smtp.reply().code()).isEqualTo(code);
      }
      id = SmtpKit.queuedId(smtp.command(message + "\r\n."));
    }
    assertThat(MxKit.deliveredTo(kit, id)).containsExactly("a@hosted.example", "b@hosted.example");
    assertThat(MxKit.withoutTrace(MxKit.inlineRaw(kit, id))).isEqualTo(MxKit.asReceived(message));
  }

  @Test
  void unknownLocalPartIs550AndAForeignDomain554AndNothingIsKept() throws Exception {
    long raws = kit.count("SELECT count(*) FROM inbound_raw");
    try (SmtpWire smtp = MxKit.greeted(mx)) {
      assertThat(smtp.command("MAIL FROM:<" + SENDER + ">").code()).isEqualTo(250);
      SmtpWire.Reply unknown = smtp.command("RCPT TO:<nobody@hosted.example>");
      assertThat(unknown.code()).as(unknown.toString()).isEqualTo(550);
      assertThat(unknown.text()).startsWith("5.1.1");
      SmtpWire.Reply foreign = smtp.command("RCPT TO:<victim@gmail.example>");
      assertThat(foreign.code()).as(foreign.toString()).isEqualTo(554);
      assertThat(foreign.text()).startsWith("5.7.1");
      assertThat(smtp.command("DATA").code()).as("no recipient was accepted").isEqualTo(503);
      // The positive control on the same session: a hosted mailbox is taken.
      SmtpWire.Reply rcpt = smtp.command("RCPT TO:<a@hosted.example>");
      assertThat(rcpt.code()).isEqualTo(250);
      assertThat(smtp.command("DATA").code()).isEqualTo(354);
      SmtpKit.queuedId(smtp.command("Subject: control\r\n\r\nbody\r\n."));
    }
    assertThat(kit.count("SELECT count(*) FROM inbound_raw")).isEqualTo(raws + 1);
    assertThat(kit.count("SELECT count(*) FROM inbound_deliveries d JOIN mailboxes m ON"
        + " m.id = d.mailbox_id WHERE d.recipient IN ('nobody@hosted.example',"
        + " 'victim@gmail.example')")).isZero();
  }

  @Test
  void aSubAddressDeliversToTheBaseMailboxWithTheTagKept() throws Exception {
    String id;
    try (SmtpWire smtp = MxKit.greeted(mx)) {
      id = SmtpKit.queuedId(MxKit.deliver(smtp, SENDER, List.of("bot+orders@hosted.example"),
          MxKit.message("tagged", UUID.randomUUID() + "@elsewhere.example")));
    }
    Row delivery = kit.query("SELECT m.address, d.recipient, d.tag FROM inbound_deliveries d"
        + " JOIN mailboxes m ON m.id = d.mailbox_id WHERE d.raw_id = $1::uuid", id).iterator().next();
    assertThat(delivery.getString("address")).isEqualTo("bot@hosted.example");
    assertThat(delivery.getString("recipient")).isEqualTo("bot+orders@hosted.example");
    assertThat(delivery.getString("tag")).isEqualTo("orders");
    assertThat(MxKit.inlineRaw(kit, id)).contains("\r\n\tfor <bot+orders@hosted.example>;\r\n");
  }

  @Test
  void theDomainsCatchAllTakesUnknownLocalPartsOnceTheOperatorSetsIt() throws Exception {
    JsonObject domain = domain("catchall.example");
    try (SmtpWire smtp = MxKit.greeted(mx)) {
      assertThat(smtp.command("MAIL FROM:<" + SENDER + ">").code()).isEqualTo(250);
      assertThat(smtp.command("RCPT TO:<before@catchall.example>").code()).isEqualTo(550);
    }
    String catchAll = mailboxId("anything@catchall.example");
    HttpResponse<String> set = gateway.admin("PATCH", "/admin/v1/domains/" + domain.getString("id"),
        new JsonObject().put("catch_all_mailbox_id", catchAll));
    assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
    assertThat(new JsonObject(set.body()).getString("catch_all_mailbox_id")).isEqualTo(catchAll);
    assertThat(domain("catchall.example").getString("catch_all_mailbox_id")).isEqualTo(catchAll);

    String id;
    try (SmtpWire smtp = MxKit.greeted(mx)) {
      id = SmtpKit.queuedId(MxKit.deliver(smtp, SENDER, List.of("sales@catchall.example"),
          MxKit.message("to the catch-all", UUID.randomUUID() + "@elsewhere.example")));
    }
    assertThat(MxKit.deliveredTo(kit, id)).containsExactly("anything@catchall.example");
    assertThat(kit.count("SELECT count(*) FROM inbound_deliveries WHERE raw_id = $1::uuid"
        + " AND recipient = 'sales@catchall.example'", id)).isEqualTo(1);

    // Only a mailbox of the domain itself; an unknown domain is 404; null clears it.
    HttpResponse<String> foreign = gateway.admin("PATCH", "/admin/v1/domains/" + domain.getString("id"),
        new JsonObject().put("catch_all_mailbox_id", mailboxId("other@elsewhere-hosted.example")));
    assertThat(foreign.statusCode()).as(foreign.body()).isEqualTo(400);
    assertThat(gateway.admin("PATCH", "/admin/v1/domains/" + UUID.randomUUID(),
        new JsonObject().put("catch_all_mailbox_id", catchAll)).statusCode()).isEqualTo(404);
    HttpResponse<String> cleared = gateway.admin("PATCH", "/admin/v1/domains/" + domain.getString("id"),
        new JsonObject().putNull("catch_all_mailbox_id"));
    assertThat(cleared.statusCode()).as(cleared.body()).isEqualTo(200);
    try (SmtpWire smtp = MxKit.greeted(mx)) {
      assertThat(smtp.command("MAIL FROM:<" + SENDER + ">").code()).isEqualTo(250);
      assertThat(smtp.command("RCPT TO:<after-clearing@catchall.example>").code()).isEqualTo(550);
    }
  }

  @Test
  void aFullMailboxIs452AtRcptAndItsOwnQuotaOverridesTheDefault() throws Exception {
    try (SmtpWire smtp = MxKit.greeted(mx)) {
      assertThat(smtp.command("MAIL FROM:<" + SENDER + ">").code()).isEqualTo(250);
      SmtpWire.Reply full = smtp.command("RCPT TO:<full@hosted.example>");
      assertThat(full.code()).as(full.toString()).isEqualTo(452);
      assertThat(full.text()).startsWith("4.2.2");
      assertThat(smtp.command("RCPT TO:<roomy@hosted.example>").code()).isEqualTo(250);
      assertThat(smtp.command("DATA").code()).isEqualTo(354);
      String id = SmtpKit.queuedId(smtp.command("Subject: roomy\r\n\r\nbody\r\n."));
      assertThat(MxKit.deliveredTo(kit, id)).containsExactly("roomy@hosted.example");
    }
  }

  @Test
  void authIsNotOfferedNorAcceptedAndStartTlsIsRecordedInTheTrace() throws Exception {
    try (SmtpWire smtp = SmtpWire.connect(mx, gateway.dataDir().resolve("tls/smtp-cert.pem"), false)) {
      assertThat(smtp.reply().code()).isEqualTo(220);
      SmtpWire.Reply ehlo = smtp.command("EHLO client.example");
      assertThat(ehlo.lines()).contains("STARTTLS").noneMatch(l -> l.startsWith("AUTH"));
      assertThat(smtp.command("AUTH PLAIN AHBvc3Rlcm4AeA==").code()).isEqualTo(502);
      assertThat(smtp.command("STARTTLS").code()).isEqualTo(220);
      smtp.upgradeToTls();
      assertThat(smtp.command("EHLO client.example").lines()).noneMatch(l -> l.startsWith("AUTH"));
      String id = SmtpKit.queuedId(MxKit.deliver(smtp, "", List.of("a@hosted.example"),
          "Subject: bounce\r\n\r\nDelivery failed."));
      assertThat(MxKit.inlineRaw(kit, id)).contains(" with ESMTPS id " + id);
      assertThat(kit.query("SELECT envelope_from FROM inbound_raw WHERE id = $1::uuid", id)
          .iterator().next().getString(0)).as("the null sender of a bounce").isEmpty();
    }
  }

  @Test
  void aReplyChainOfFiveMessagesThreadsIntoOneConversation() throws Exception {
    String root = UUID.randomUUID().toString();
    List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String id = root + "." + i + "@elsewhere.example";
      StringBuilder message = new StringBuilder("From: Sender <" + SENDER + ">\r\n"
          + "To: c@hosted.example\r\nSubject: " + (i == 0 ? "" : "Re: ") + "Plans\r\n"
          + "Message-ID: <" + id + ">\r\n");
      if (i > 0) {
        message.append("In-Reply-To: <").append(ids.get(i - 1)).append(">\r\nReferences:");
        ids.forEach(ref -> message.append(" <").append(ref).append('>'));
        message.append("\r\n");
      }
      message.append("\r\nMessage ").append(i).append(" of the chain.");
      try (SmtpWire smtp = MxKit.greeted(mx)) {
        SmtpKit.queuedId(MxKit.deliver(smtp, SENDER, List.of("c@hosted.example"),
            message.toString()));
      }
      ids.add(id);
    }
    String filed = "SELECT thread_id, thread_position FROM mail_messages"
        + " WHERE message_id_header LIKE $1 ORDER BY thread_position";
    Eventually.until(Duration.ofSeconds(30), () -> kit.query(filed, root + ".%").size() == 5,
        () -> "the chain was not filed");
    List<Row> rows = new java.util.ArrayList<>();
    kit.query(filed, root + ".%").forEach(rows::add);
    assertThat(rows.stream().map(r -> r.getUUID("thread_id")).distinct()).hasSize(1);
    assertThat(rows.stream().map(r -> r.getInteger("thread_position"))).containsExactly(1, 2, 3, 4, 5);
    assertThat(kit.count("SELECT message_count FROM mail_threads WHERE id = $1",
        rows.get(0).getUUID("thread_id"))).isEqualTo(5);
  }

  private static JsonObject domain(String name) {
    HttpResponse<String> list = gateway.admin("GET", "/admin/v1/domains", null);
    return new JsonObject(list.body()).getJsonArray("data").stream().map(JsonObject.class::cast)
        .filter(d -> d.getString("name").equals(name)).findFirst().orElseThrow();
  }

  private static String mailboxId(String address) {
    return kit.query("SELECT id::text FROM mailboxes WHERE address = $1", address).iterator().next()
        .getString(0);
  }
}
