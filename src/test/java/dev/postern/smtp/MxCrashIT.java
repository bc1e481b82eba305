package dev.postern.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.Eventually;
import dev.postern.support.FreePort;
import dev.postern.support.GatewayProcess;
import dev.postern.support.SmtpWire;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue #13 "Done when": the packaged gateway ({@link GatewayProcess}) on its embedded PostgreSQL,
 * MX on, killed with SIGKILL around DATA, rounds in a row on one data directory. Each round holds
 * four transactions open at once: two cut mid-body (one over the inline limit, so its blob is
 * being streamed), one whose 250 was read just before the kill, and one whose final dot races
 * the kill (in even rounds the kill waits for that message's commit, so its 250 may never be
 * read: it must be kept all the same). After each restart: every 250-acknowledged message is filed (the filing pipeline
 * drains), no raw message is stored without its delivery, every raw's octets (inline or the blob
 * it names) are complete and belong to a message that was whole when the kill came — never one
 * cut mid-body — and nothing is filed twice.
 */
class MxCrashIT {

  private static final Logger log = LoggerFactory.getLogger(MxCrashIT.class);
  private static final int ROUNDS = 5;
  private static final String BOX = "crash@crash.example";
  /** Over the 256 KiB inline limit: stored as a blob, streamed while DATA arrives. */
  private static final int LARGE_BODY = 400 * 1024;
  private static final Pattern TOKEN = Pattern.compile("Subject: (crash-\\d+-[a-z]+-[0-9a-f-]{36})\r\n");
  private static final Duration WAIT = Duration.ofSeconds(120);

  @TempDir Path work;

  @Test
  void everyAcknowledgedMessageIsFiledOnceAndNothingCutMidDataIsVisible() throws Exception {
    Path data = work.resolve("data");
    Path logs = Path.of("target", "mx-crash-logs", Long.toString(System.currentTimeMillis()));
    String adminToken = "admin-" + UUID.randomUUID();
    int mx = FreePort.next();
    Map<String, String> env = Map.of(
        "POSTERN_DATA_DIR", data.toString(),
        "POSTERN_HTTP_HOST", "127.0.0.1",
        "POSTERN_HTTP_PORT", Integer.toString(FreePort.next()),
        "POSTERN_ADMIN_TOKEN", adminToken,
        "POSTERN_SMTP_HOST", "127.0.0.1",
        "POSTERN_MX_PORT", Integer.toString(mx));
    Map<String, String> acknowledged = new HashMap<>(); // token → raw id from "queued as"
    Set<String> cut = new HashSet<>();                 // tokens cut mid-body
    Set<String> raced = new HashSet<>();               // tokens whose dot raced the kill, unanswered
    Set<String> committed = new HashSet<>();           // racing tokens seen committed before the kill
    GatewayProcess gateway = GatewayProcess.start(logs, env);
    try {
      gateway.awaitReady(WAIT);
      awaitMx(mx, gateway);
      createMailbox(gateway.baseUrl(), adminToken);
      for (int round = 1; round <= ROUNDS; round++) {
        boolean largeWhole = round % 2 == 0;
        String cutLarge = token(round, "cutlarge");
        String cutSmall = token(round, "cutsmall");
        String racing = token(round, "racing");
        String whole = token(round, "whole");
        try (SmtpWire a = inData(mx); SmtpWire b = inData(mx); SmtpWire c = inData(mx); SmtpWire d = inData(mx)) {
          byte[] large = message(cutLarge, LARGE_BODY);
          a.send(java.util.Arrays.copyOf(large, large.length / 2));
          byte[] small = message(cutSmall, 2_000);
          b.send(java.util.Arrays.copyOf(small, small.length / 2));
          c.send(message(racing, largeWhole ? 2_000 : LARGE_BODY));
          d.send(message(whole, largeWhole ? LARGE_BODY : 2_000));
          SmtpWire.Reply ok = d.command(".");
          acknowledged.put(whole, SmtpKit.queuedId(ok));
          c.send(".\r\n");
          if (largeWhole) {
            // Even rounds: the kill waits for the racing message's commit (its 250 is being
            // written or read), so some messages are committed with their 250 never read.
            awaitCommitted(data, racing);
            committed.add(racing);
          }
          gateway.kill();
          cut.add(cutLarge);
          cut.add(cutSmall);
          try {
            acknowledged.put(racing, SmtpKit.queuedId(c.reply()));
          } catch (IOException killedFirst) {
            raced.add(racing);
          }
        }
        log.info("round {}: SIGKILL after the 250 for {}; the racing dot was {}", round, whole,
            raced.contains(racing) ? "unanswered" : "acknowledged");
        gateway.close();
        gateway = GatewayProcess.start(logs, env);
        gateway.awaitReady(WAIT);
        awaitMx(mx, gateway);
        assertAfterRestart(data, acknowledged, cut, raced, committed);
      }
      log.info("{} rounds: {} acknowledged, all filed once; {} cut mid-body, none visible; {} raced unanswered;"
          + " {} committed before the kill", ROUNDS, acknowledged.size(), cut.size(), raced.size(), committed.size());
    } finally {
      gateway.close();
    }
  }

  /** What must hold after each restart, read from the data directory's database and blobs. */
  private static void assertAfterRestart(Path data, Map<String, String> acknowledged, Set<String> cut,
      Set<String> raced, Set<String> committed) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Pool db = embeddedPostgres(data, vertx);
      // The pipeline drains: every delivery, of acknowledged messages or of raced ones the MX
      // committed without its 250 reaching us, is filed.
      Eventually.until(WAIT, () -> count(db, "SELECT count(*) FROM inbound_deliveries WHERE state <> 'filed'") == 0,
          () -> "deliveries not filed: " + rows(db, "SELECT raw_id, state, attempts, last_error FROM inbound_deliveries"
              + " WHERE state <> 'filed'"));
      assertThat(count(db, "SELECT count(*) FROM inbound_raw r WHERE NOT EXISTS"
          + " (SELECT 1 FROM inbound_deliveries d WHERE d.raw_id = r.id)")).as("raw messages without a delivery").isZero();

      List<String> problems = new ArrayList<>();
      Map<String, String> rawByToken = new HashMap<>();
      for (Row row : db.query("SELECT id::text, mime_inline, blob_key, mime_size FROM inbound_raw").execute().await()) {
        String id = row.getString("id");
        byte[] mime;
        if (row.getString("blob_key") != null) {
          Path blob = data.resolve("blobs").resolve(row.getString("blob_key"));
          if (!Files.isRegularFile(blob)) {
            problems.add(id + ": its blob " + blob + " is missing");
            continue;
          }
          mime = Files.readAllBytes(blob);
        } else {
          mime = row.getBuffer("mime_inline").getBytes();
        }
        if (mime.length != row.getLong("mime_size")) {
          problems.add(id + ": " + mime.length + " octets stored, the row says " + row.getLong("mime_size"));
          continue;
        }
        String text = new String(mime, StandardCharsets.US_ASCII);
        Matcher token = TOKEN.matcher(text);
        if (!token.find()) {
          problems.add(id + ": no test subject in " + text.substring(0, Math.min(300, text.length())));
          continue;
        }
        if (!text.endsWith("end of " + token.group(1) + "\r\n")) {
          problems.add(id + ": " + token.group(1) + " is stored without its end");
        }
        if (cut.contains(token.group(1))) {
          problems.add(id + ": " + token.group(1) + " was cut mid-body yet is stored");
        }
        if (rawByToken.put(token.group(1), id) != null) {
          problems.add(token.group(1) + " is stored twice");
        }
      }
      assertThat(problems).as("stored raw messages").isEmpty();
      for (var ack : acknowledged.entrySet()) {
        assertThat(rawByToken.get(ack.getKey())).as("raw of acknowledged " + ack.getKey()).isEqualTo(ack.getValue());
      }
      assertThat(rawByToken.keySet()).as("messages committed before the kill are kept").containsAll(committed);
      assertThat(rawByToken.keySet()).as("only acknowledged or raced messages are stored")
          .allMatch(t -> acknowledged.containsKey(t) || raced.contains(t));

      // Filed: one mail_messages row per raw (one mailbox), each acknowledged one among them.
      Map<String, Long> filed = new HashMap<>();
      for (Row row : db.query("SELECT raw_id::text, count(*) FROM mail_messages GROUP BY raw_id").execute().await()) {
        filed.put(row.getString(0), row.getLong(1));
      }
      assertThat(filed.values()).as("messages filed per raw").allMatch(n -> n == 1);
      assertThat(filed.keySet()).as("filed raws").containsAll(acknowledged.values())
          .containsExactlyInAnyOrderElementsOf(rawByToken.values());
      assertThat(count(db, "SELECT count(*) FROM (SELECT message_id_header FROM mail_messages"
          + " GROUP BY message_id_header HAVING count(*) > 1) twice")).as("Message-IDs filed twice").isZero();
      db.close().await();
    } finally {
      vertx.close().await();
    }
  }

  /** Waits until the (inline) raw message with {@code token} is committed in the embedded PostgreSQL. */
  private static void awaitCommitted(Path data, String token) throws IOException {
    Vertx vertx = Vertx.vertx();
    try {
      Pool db = embeddedPostgres(data, vertx);
      Eventually.until(WAIT, () -> db.preparedQuery("SELECT count(*) FROM inbound_raw WHERE mime_inline IS NOT NULL"
              + " AND position($1::bytea IN mime_inline) > 0")
          .execute(Tuple.of(io.vertx.core.buffer.Buffer.buffer(token))).await().iterator().next().getLong(0) == 1,
          () -> token + " was never committed");
      db.close().await();
    } finally {
      vertx.close().await();
    }
  }

  /** /readyz answers before the SMTP listeners are bound: waits until the MX greets. */
  private static void awaitMx(int mx, GatewayProcess gateway) {
    Eventually.until(WAIT, () -> {
      try (SmtpWire probe = SmtpWire.connect(mx)) {
        return probe.reply().code() == 220;
      } catch (IOException notYet) {
        return false;
      }
    }, () -> "the MX never listened on " + mx + ": " + gateway.stdout());
  }

  /** Connected, greeted, MAIL and RCPT accepted, 354 to DATA read: the body may follow. */
  private static SmtpWire inData(int mx) throws IOException {
    SmtpWire smtp = MxKit.greeted(mx);
    assertThat(smtp.command("MAIL FROM:<sender@world.example>").code()).isEqualTo(250);
    assertThat(smtp.command("RCPT TO:<" + BOX + ">").code()).isEqualTo(250);
    assertThat(smtp.command("DATA").code()).isEqualTo(354);
    return smtp;
  }

  /** Headers and about {@code bodyBytes} of 76-octet lines, ending "end of <token>" (no final dot). */
  private static byte[] message(String token, int bodyBytes) {
    StringBuilder m = new StringBuilder("From: <sender@world.example>\r\nTo: <" + BOX + ">\r\nSubject: " + token
        + "\r\nMessage-ID: <" + token + "@world.example>\r\n\r\n");
    String line = "x".repeat(74) + "\r\n";
    for (int written = 0; written < bodyBytes; written += line.length()) {
      m.append(line);
    }
    return m.append("end of ").append(token).append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static String token(int round, String kind) {
    return "crash-" + round + "-" + kind + "-" + UUID.randomUUID();
  }

  /** The gateway's embedded PostgreSQL (its port is in {@code pg/postmaster.pid}). */
  private static Pool embeddedPostgres(Path data, Vertx vertx) throws IOException {
    List<String> pidFile = Files.readAllLines(data.resolve("pg/postmaster.pid"), StandardCharsets.US_ASCII);
    int port = Integer.parseInt(pidFile.get(3).trim());
    return PgBuilder.pool().connectingTo(new PgConnectOptions().setHost("127.0.0.1").setPort(port)
        .setDatabase("postgres").setUser("postgres").setPassword("")).using(vertx).build();
  }

  private static long count(Pool db, String sql) {
    return db.preparedQuery(sql).execute(Tuple.tuple()).await().iterator().next().getLong(0);
  }

  private static String rows(Pool db, String sql) {
    List<String> out = new ArrayList<>();
    db.query(sql).execute().await().forEach(r -> out.add(r.toJson().encode()));
    return out.toString();
  }

  private static void createMailbox(String baseUrl, String adminToken) throws Exception {
    HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(baseUrl + "/admin/v1/mailboxes")).header("Authorization", "Bearer " + adminToken)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
            new JsonObject().put("address", BOX).put("encryption_tier", "plaintext").encode())).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
  }
}
