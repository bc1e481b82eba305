package dev.postern.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.Eventually;
import dev.postern.support.FaultRelay;
import dev.postern.support.FreePort;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One gateway for a class of real-client tests (issue #12 "done when"): submission with STARTTLS
 * and implicit TLS on free loopback ports, the self-signed certificate a client must trust, a
 * mailbox-bound key, and a relay ({@link FaultRelay}, which keeps every message as received) so
 * each accepted message can be followed to where it is delivered.
 */
final class ClientsGateway implements AutoCloseable {

  static final String MAILBOX = "app@shop.example";
  /** The username the docs give; any username is accepted, the password is the key. */
  static final String USER = "postern";
  private static final Pattern QUEUED = Pattern.compile("queued as ([0-9a-f-]{36})");
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final FaultRelay relay;
  private final TestGateway gateway;
  private final int submissionPort;
  private final int smtpsPort;
  private final String key;
  private final Pool db;

  private ClientsGateway(FaultRelay relay, TestGateway gateway, int submissionPort, int smtpsPort,
      String key) {
    this.relay = relay;
    this.gateway = gateway;
    this.submissionPort = submissionPort;
    this.smtpsPort = smtpsPort;
    this.key = key;
    this.db = PgBuilder.pool().connectingTo(gateway.pgUrl()).using(gateway.vertx()).build();
  }

  static ClientsGateway start() {
    FaultRelay relay = FaultRelay.start();
    int submission = FreePort.next();
    int smtps = FreePort.next();
    Map<String, String> env = new HashMap<>();
    env.put("POSTERN_SMTP_PORT", Integer.toString(submission));
    env.put("POSTERN_SMTPS_PORT", Integer.toString(smtps));
    env.put("POSTERN_SMTP_HOST", "127.0.0.1");
    env.put("POSTERN_RELAY_URL", relay.relayUrl());
    TestGateway gateway;
    try {
      gateway = TestGateway.start(env,
          new JsonObject().put("delivery", new JsonObject().put("poll_interval_ms", 200)));
    } catch (RuntimeException e) {
      relay.close();
      throw e;
    }
    HttpResponse<String> mailbox = gateway.admin("POST", "/admin/v1/mailboxes",
        new JsonObject().put("address", MAILBOX).put("encryption_tier", "plaintext"));
    assertThat(mailbox.statusCode()).as(mailbox.body()).isEqualTo(201);
    HttpResponse<String> created = gateway.admin("POST", "/admin/v1/keys", new JsonObject()
        .put("name", "smtp-clients").put("mailbox", MAILBOX).put("scope", "full_access")
        .put("rate_limit_per_hour", 1_000_000));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return new ClientsGateway(relay, gateway, submission, smtps,
        new JsonObject(created.body()).getString("key"));
  }

  TestGateway gateway() {
    return gateway;
  }

  int submissionPort() {
    return submissionPort;
  }

  int smtpsPort() {
    return smtpsPort;
  }

  /** The certificate the gateway generated into its data directory: what clients trust. */
  Path cert() {
    return gateway.dataDir().resolve("tls/smtp-cert.pem");
  }

  String key() {
    return key;
  }

  /** The id in a {@code 250 2.0.0 Ok: queued as <id>} reply, failing when there is none. */
  static UUID queuedId(String reply) {
    Matcher m = QUEUED.matcher(reply);
    assertThat(m.find()).as("a 250 with the queued id in: " + reply).isTrue();
    return UUID.fromString(m.group(1));
  }

  /** {@code GET /v1/emails/:id} with the key: must be 200. */
  JsonObject email(UUID id) {
    HttpResponse<String> email = gateway.withKey(key, "GET", "/v1/emails/" + id, null);
    assertThat(email.statusCode()).as(email.body()).isEqualTo(200);
    return new JsonObject(email.body());
  }

  /** The one stored message with this subject, for clients that do not show the 250's text. */
  UUID idBySubject(String subject) {
    RowSet<Row> rows = db.preparedQuery("SELECT id FROM outbound_messages WHERE subject = $1")
        .execute(Tuple.of(subject)).await();
    assertThat(rows.size()).as("messages with subject " + subject).isEqualTo(1);
    return rows.iterator().next().getUUID("id");
  }

  long storedMessages() {
    return db.query("SELECT count(*) FROM outbound_messages").execute().await()
        .iterator().next().getLong(0);
  }

  /** The message as accepted and stored (small messages are kept inline). */
  String storedMime(UUID id) {
    RowSet<Row> rows = db.preparedQuery(
        "SELECT mime_inline, source FROM outbound_messages WHERE id = $1").execute(Tuple.of(id)).await();
    assertThat(rows.size()).as("stored message " + id).isEqualTo(1);
    Row row = rows.iterator().next();
    assertThat(row.getString("source")).isEqualTo("smtp");
    assertThat(row.getBuffer("mime_inline")).as("inline MIME of " + id).isNotNull();
    return row.getBuffer("mime_inline").toString(StandardCharsets.UTF_8);
  }

  /**
   * Waits until the message reached the relay and checks it arrived exactly as it was accepted,
   * save for the trace and DKIM fields delivery puts on top. Returns it without those fields
   * (a client's own trace fields, such as a relaying MTA's Received, stay).
   */
  String relayedUnchanged(UUID id) {
    String stored = storedMime(id);
    String storedMessageId = header(stored, "Message-ID");
    assertThat(storedMessageId).as("stored Message-ID of " + id).isNotNull();
    FaultRelay.Received[] found = new FaultRelay.Received[1];
    Eventually.until(WAIT, () -> {
      found[0] = relay.received().stream()
          .filter(r -> storedMessageId.equals(r.messageId())).findFirst().orElse(null);
      return found[0] != null;
    }, () -> "message " + id + " (" + storedMessageId + ") not at the relay; it has "
        + relay.received().stream().map(FaultRelay.Received::messageId).toList()
        + "; status " + email(id).getString("last_event"));
    String relayed = found[0].content();
    assertThat(relayed).as("relayed message " + id + " against the stored one").endsWith(stored);
    String added = relayed.substring(0, relayed.length() - stored.length());
    assertThat(withoutAddedTrace(added)).as("fields added by delivery:\n" + added).isEmpty();
    return stored;
  }

  /**
   * Checks that what reached the relay is the client's own message octet for octet, with only a
   * Message-ID and a Date appended to its header block where the client set none (RFC 6409
   * §8.2–8.3) — in that order, as the submission core writes them.
   */
  static void assertSameAsSent(String sent, String relayed) {
    int end = sent.indexOf("\r\n\r\n");
    assertThat(end).as("the client's message has a header block").isPositive();
    String head = sent.substring(0, end + 2);
    StringBuilder expected = new StringBuilder(head);
    if (header(head, "Message-ID") == null) {
      expected.append("Message-ID: ").append(header(relayed, "Message-ID")).append("\r\n");
    }
    if (header(head, "Date") == null) {
      expected.append("Date: ").append(header(relayed, "Date")).append("\r\n");
    }
    expected.append(sent.substring(end + 2));
    assertThat(relayed).isEqualTo(expected.toString());
  }

  /** The message as a parsed MIME message, to read decoded headers and bodies. */
  static MimeMessage parsed(String message) {
    try {
      return new MimeMessage(Session.getInstance(new Properties()),
          new ByteArrayInputStream(message.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** A decoded text part with its line ends as LF, whatever the client wrote them as. */
  static String text(Object content) {
    return ((String) content).replace("\r\n", "\n");
  }

  /** The unfolded value of the first field {@code name} in the header block, or null. */
  static String header(String message, String name) {
    String value = null;
    for (String line : message.split("\r\n", -1)) {
      if (line.isEmpty()) {
        break;
      }
      if (value != null) {
        if (line.startsWith(" ") || line.startsWith("\t")) {
          value += line;
          continue;
        }
        return value.trim();
      }
      if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
        value = line.substring(name.length() + 1);
      }
    }
    return value == null ? null : value.trim();
  }

  /** The message without the DKIM-Signature and Received fields on top of it. */
  static String withoutAddedTrace(String message) {
    String rest = message;
    while (startsWithField(rest, "DKIM-Signature") || startsWithField(rest, "Received")) {
      int next = rest.indexOf("\r\n");
      while (next >= 0 && (rest.startsWith(" ", next + 2) || rest.startsWith("\t", next + 2))) {
        next = rest.indexOf("\r\n", next + 2);
      }
      rest = rest.substring(next + 2);
    }
    return rest;
  }

  private static boolean startsWithField(String message, String name) {
    return message.regionMatches(true, 0, name + ":", 0, name.length() + 1);
  }

  @Override
  public void close() {
    try {
      try {
        db.close().await();
      } finally {
        gateway.close();
      }
    } finally {
      relay.close();
    }
  }
}
