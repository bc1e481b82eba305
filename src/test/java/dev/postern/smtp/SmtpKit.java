package dev.postern.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.SmtpWire;
import dev.postern.support.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the SMTP end-to-end tests share: mailboxes and keys made through the admin API (as an
 * operator would), a plain message over {@link SmtpWire}, and looks at what the gateway stored
 * (rows in PostgreSQL, files in the filesystem blob store) to prove "nothing kept".
 */
final class SmtpKit implements AutoCloseable {

  static final Pattern QUEUED = Pattern.compile("Ok: queued as ([0-9a-f-]{36})");

  /** An API key as the admin API issued it. */
  record Key(String id, String secret) {}

  private final TestGateway gateway;
  private final Vertx vertx = Vertx.vertx();
  private final Pool db;

  SmtpKit(TestGateway gateway) {
    this.gateway = gateway;
    this.db = PgBuilder.pool().connectingTo(gateway.pgUrl()).using(vertx).build();
  }

  void mailbox(String address) {
    HttpResponse<String> created = gateway.admin("POST", "/admin/v1/mailboxes",
        new JsonObject().put("address", address).put("encryption_tier", "plaintext"));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
  }

  /** A key bound to {@code mailbox}; {@code extra} may set scope, mode, rate_limit_per_hour. */
  Key key(String mailbox, JsonObject extra) {
    JsonObject body = new JsonObject().put("name", "smtp-test").put("mailbox", mailbox)
        .put("scope", "full_access").mergeIn(extra);
    HttpResponse<String> created = gateway.admin("POST", "/admin/v1/keys", body);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonObject json = new JsonObject(created.body());
    return new Key(json.getString("id"), json.getString("key"));
  }

  Key key(String mailbox) {
    return key(mailbox, new JsonObject());
  }

  /** EHLO (plaintext or after TLS), MAIL, RCPT, DATA and {@code message} with the final dot. */
  static SmtpWire.Reply transaction(SmtpWire smtp, String from, String to, String message)
      throws IOException {
    SmtpWire.Reply mail = smtp.command("MAIL FROM:<" + from + ">");
    assertThat(mail.code()).as(mail.toString()).isEqualTo(250);
    SmtpWire.Reply rcpt = smtp.command("RCPT TO:<" + to + ">");
    assertThat(rcpt.code()).as(rcpt.toString()).isEqualTo(250);
    SmtpWire.Reply data = smtp.command("DATA");
    assertThat(data.code()).as(data.toString()).isEqualTo(354);
    return smtp.command(message + "\r\n.");
  }

  /** A small message from {@code from}, with {@code subject}. */
  static String message(String from, String subject) {
    return "From: <" + from + ">\r\nTo: someone@elsewhere.example\r\nSubject: " + subject
        + "\r\n\r\nHello from a test.";
  }

  /** The id in {@code 250 2.0.0 Ok: queued as <id>}, asserting the reply is that. */
  static String queuedId(SmtpWire.Reply reply) {
    assertThat(reply.code()).as(reply.toString()).isEqualTo(250);
    Matcher m = QUEUED.matcher(reply.text());
    assertThat(m.find()).as(reply.text()).isTrue();
    return m.group(1);
  }

  RowSet<Row> query(String sql, Object... params) {
    return db.preparedQuery(sql).execute(Tuple.from(params)).await();
  }

  long count(String sql, Object... params) {
    return query(sql, params).iterator().next().getLong(0);
  }

  long messages() {
    return count("SELECT count(*) FROM outbound_messages");
  }

  long messagesWithSubject(String subject) {
    return count("SELECT count(*) FROM outbound_messages WHERE subject = $1", subject);
  }

  /** The stored MIME of an inline message. */
  String inlineMime(String id) {
    Row row = query("SELECT mime_inline FROM outbound_messages WHERE id = $1::uuid", id)
        .iterator().next();
    return row.getBuffer("mime_inline").toString();
  }

  /** Regular files under {@code <data dir>/blobs}. */
  long blobFiles() {
    Path blobs = gateway.dataDir().resolve("blobs");
    if (!Files.isDirectory(blobs)) {
      return 0;
    }
    // A temporary file can vanish between the listing and its attributes: walk again then.
    for (int attempt = 1; ; attempt++) {
      try (Stream<Path> files = Files.walk(blobs)) {
        return files.filter(Files::isRegularFile).count();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (UncheckedIOException e) {
        if (!(e.getCause() instanceof java.nio.file.NoSuchFileException) || attempt == 5) {
          throw e;
        }
      }
    }
  }

  @Override
  public void close() {
    db.close().await();
    vertx.close().await();
  }
}
