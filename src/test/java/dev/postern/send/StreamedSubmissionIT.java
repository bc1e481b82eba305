package dev.postern.send;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.postern.auth.AuthenticatedKey;
import dev.postern.blob.BlobStoreException;
import dev.postern.refusal.DependencyRefusals;
import dev.postern.refusal.Reason;
import dev.postern.refusal.Refusal;
import dev.postern.support.Eventually;
import dev.postern.support.SqlSeed;
import dev.postern.support.TestGateway;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue #10/#12: SMTP DATA through {@link SubmissionService#acceptStreamed} on a real gateway
 * (PostgreSQL, filesystem blob store): what is committed, what is refused with nothing left
 * behind, and a resend after a lost 250 recognised.
 */
@Timeout(120)
class StreamedSubmissionIT {

  private static final long MAX_BYTES = 600_000;
  private static final String FROM = "app@stream.example";

  private static TestGateway gateway;
  private static Pool db;
  private static AuthenticatedKey key;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start(Map.of(), new JsonObject()
        .put("smtp", new JsonObject().put("max_message_bytes", MAX_BYTES)));
    SqlSeed.mailbox(gateway.pgUrl(), FROM);
    key = key(100_000);
    db = PgBuilder.pool().connectingTo(gateway.pgUrl()).using(gateway.vertx()).build();
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  private static AuthenticatedKey key(int perHour) {
    HttpResponse<String> created = gateway.admin("POST", "/admin/v1/keys", new JsonObject()
        .put("name", "smtp").put("mailbox", FROM).put("scope", "full_access")
        .put("rate_limit_per_hour", perHour));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return gateway.core().authenticator().verify(new JsonObject(created.body()).getString("key")).await();
  }

  /** A message with its own Message-ID and Date: stored exactly as sent, less its Bcc field. */
  private static String head(String messageId, String subject) {
    return "Message-ID: " + messageId + "\r\nDate: Sun, 22 Nov 2026 10:00:00 +0000\r\n"
        + "From: Stream <" + FROM + ">\r\nTo: alice@example.org\r\nCc: bob@example.org\r\n"
        + "Subject: " + subject + "\r\n";
  }

  private static String body(int size, long seed) {
    StringBuilder text = new StringBuilder("\r\n");
    Random random = new Random(seed);
    while (text.length() < size) {
      text.append(Long.toString(random.nextLong(), 36)).append(random.nextInt(9) == 0 ? "\r\n" : " ");
    }
    return text.append("\r\n").toString();
  }

  private record Sent(StreamedAccepted accepted, Throwable failure, DataSource source) {}

  private static Sent send(AuthenticatedKey as, String message, int chunk, long failAfter,
      StreamOptions options) {
    Context context = gateway.vertx().getOrCreateContext();
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    DataSource source = failAfter < 0 ? DataSource.of(context, bytes, i -> chunk)
        : DataSource.failingAfter(context, bytes, chunk, failAfter);
    Promise<StreamedAccepted> done = Promise.promise();
    context.runOnContext(v -> gateway.core().submissions().acceptStreamed(as,
        new SmtpEnvelope("bounce@stream.example",
            List.of("alice@example.org", "bob@example.org", "carol@example.org")),
        source, options).onComplete(done));
    try {
      return new Sent(StreamedPipeline.await(done.future()), null, source);
    } catch (RuntimeException e) {
      return new Sent(null, e instanceof IllegalStateException && e.getCause() != null ? e.getCause() : e,
          source);
    }
  }

  private static Sent send(String message) {
    return send(key, message, 8191, -1, new StreamOptions(false));
  }

  private static Reason refused(Sent sent) {
    assertThat(sent.failure()).as("refusal").isInstanceOf(Refusal.class);
    // The edge can feed DATA to its end and answer: the core read the rest and dropped it.
    Eventually.until(Duration.ofSeconds(10), sent.source()::finished, () -> "data drained");
    return ((Refusal) sent.failure()).reason();
  }

  private static Row row(UUID id) {
    return db.preparedQuery("SELECT m.*, (SELECT count(*) FROM delivery_queue q WHERE q.message_id = m.id)"
        + " AS queued FROM outbound_messages m WHERE id = $1").execute(Tuple.of(id)).await().iterator().next();
  }

  private static long rows(String column, String value) {
    return db.preparedQuery("SELECT count(*) FROM outbound_messages WHERE " + column + " = $1")
        .execute(Tuple.of(value)).await().iterator().next().getLong(0);
  }

  private static Buffer stored(Row row) {
    return row.getBuffer("mime_inline") != null ? row.getBuffer("mime_inline")
        : gateway.core().blobs().get(row.getString("blob_key")).await();
  }

  /** Every file under the blob store's directory, temp files of writes in flight included. */
  private static List<Path> blobFiles() {
    try (Stream<Path> walk = Files.walk(gateway.dataDir().resolve("blobs"))) {
      return walk.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void inlineAndSpilledMessagesAreCommittedAsSentLessBcc() {
    for (int size : new int[] {2_000, 400_000}) {
      String subject = "stored " + size + " " + UUID.randomUUID();
      String head = head("<" + UUID.randomUUID() + "@stream.example>", subject);
      String body = body(size, size);
      Sent sent = send(head + "Bcc: carol@example.org\r\n" + body);
      assertThat(sent.failure()).isNull();
      assertThat(sent.accepted().replayed()).isFalse();
      assertThat(sent.accepted().quota().remaining()).isLessThan(100_000);

      Row row = row(sent.accepted().id());
      Buffer mime = stored(row);
      assertThat(mime.toString(StandardCharsets.UTF_8)).isEqualTo(head + body);
      assertThat(row.getValue("mime_inline") == null).isEqualTo(size > SubmissionService.INLINE_LIMIT);
      assertThat(row.getLong("mime_size")).isEqualTo(mime.length());
      assertThat(row.getBuffer("mime_sha256").getBytes()).isEqualTo(StreamedPipeline.sha256(mime.getBytes()));
      assertThat(row.getString("source")).isEqualTo("smtp");
      assertThat(row.getString("envelope_from")).isEqualTo("bounce@stream.example");
      assertThat(row.getString("subject")).isEqualTo(subject);
      assertThat(row.getArrayOfStrings("bcc_addresses")).containsExactly("carol@example.org");
      assertThat(row.getLong("queued")).isEqualTo(1);
      List<String> kinds = new ArrayList<>();
      db.preparedQuery("SELECT address, kind FROM outbound_recipients WHERE message_id = $1 ORDER BY address")
          .execute(Tuple.of(sent.accepted().id())).await()
          .forEach(r -> kinds.add(r.getString(0) + "=" + r.getString(1)));
      assertThat(kinds).containsExactly("alice@example.org=to", "bob@example.org=cc", "carol@example.org=bcc");
    }
  }

  @Test
  void addsMessageIdAndDateOnlyWhenMissingAndReportsTheActor() {
    String subject = "stamped " + UUID.randomUUID();
    Sent sent = send("From: " + FROM + "\r\nSubject: " + subject + "\r\nX-Postern-Actor: jane\r\n"
        + body(100, 1));
    Row row = row(sent.accepted().id());
    String mime = stored(row).toString(StandardCharsets.UTF_8);
    assertThat(mime).startsWith("From: " + FROM + "\r\nSubject: " + subject + "\r\nMessage-ID: "
        + row.getString("message_id_header") + "\r\nDate: ").doesNotContain("X-Postern-Actor");
    assertThat(sent.accepted().actor()).hasValue("jane");
  }

  @Test
  void aFromOutsideTheBindingIsRefusedBeforeTheBodyAndNothingIsStored() {
    List<Path> before = blobFiles();
    String subject = "foreign " + UUID.randomUUID();
    Sent sent = send(head("<f@else.example>", subject).replace("From: Stream <" + FROM + ">",
        "From: someone@else.example") + body(400_000, 2));
    assertThat(refused(sent)).isEqualTo(Reason.SENDER_NOT_ALLOWED);
    assertThat(rows("subject", subject)).isZero();
    assertThat(blobFiles()).isEqualTo(before);
  }

  @Test
  void overTheSizeLimitMidStreamIsTooLargeAndLeavesNoBlob() {
    List<Path> before = blobFiles();
    String subject = "huge " + UUID.randomUUID();
    Sent sent = send(head("<" + UUID.randomUUID() + "@stream.example>", subject) + body(700_000, 3));
    assertThat(refused(sent)).isEqualTo(Reason.TOO_LARGE);
    assertThat(rows("subject", subject)).isZero();
    assertThat(blobFiles()).isEqualTo(before);
  }

  @Test
  void aClientGoneMidStreamCommitsNothingAndLeavesNoBlob() {
    List<Path> before = blobFiles();
    String subject = "gone " + UUID.randomUUID();
    Sent sent = send(key, head("<" + UUID.randomUUID() + "@stream.example>", subject)
        + body(500_000, 4), 8191, 350_000, new StreamOptions(false));
    assertThat(sent.failure()).isInstanceOf(IOException.class).hasMessage("client went away");
    assertThat(rows("subject", subject)).isZero();
    assertThat(blobFiles()).isEqualTo(before);
  }

  @Test
  void aResendAfterALost250ReturnsTheFirstIdAndIsChargedOnce() {
    AuthenticatedKey own = key(50);
    String messageId = "<" + UUID.randomUUID() + "@stream.example>";
    String message = head(messageId, "resend") + body(300_000, 5);
    Sent first = send(own, message, 4096, -1, new StreamOptions(false));
    List<Path> blobsAfterFirst = blobFiles();
    Sent again = send(own, message, 1000, -1, new StreamOptions(false));

    assertThat(again.failure()).isNull();
    assertThat(again.accepted().id()).isEqualTo(first.accepted().id());
    assertThat(again.accepted().replayed()).isTrue();
    assertThat(again.accepted().quota()).isNull();
    assertThat(rows("message_id_header", messageId)).isEqualTo(1);
    // The resend's blob and charge are undone after the fact (best effort, not awaited).
    Eventually.until(Duration.ofSeconds(10),
        () -> gateway.core().quotas().peekSends(own).await().remaining() == 49,
        () -> "quota charged once: " + gateway.core().quotas().peekSends(own).await());
    Eventually.until(Duration.ofSeconds(10), () -> blobFiles().equals(blobsAfterFirst),
        () -> "the resend's blob deleted");

    // Same Message-ID, other octets: a new message, not a conflict.
    Sent edited = send(own, message.replace("Subject: resend", "Subject: resend, edited"), 4096, -1,
        new StreamOptions(false));
    assertThat(edited.failure()).isNull();
    assertThat(edited.accepted().replayed()).isFalse();
    assertThat(edited.accepted().id()).isNotEqualTo(first.accepted().id());
    assertThat(rows("message_id_header", messageId)).isEqualTo(2);
  }

  @Test
  void withoutAMessageIdTheSameOctetsAreTwoMessages() {
    String subject = "no id " + UUID.randomUUID();
    String message = "From: " + FROM + "\r\nSubject: " + subject + "\r\n" + body(100, 6);
    UUID first = send(message).accepted().id();
    UUID second = send(message).accepted().id();
    assertThat(second).isNotEqualTo(first);
    assertThat(rows("subject", subject)).isEqualTo(2);
  }

  @Test
  void anExhaustedQuotaIsRefusedWithItsDecisionAndNothingIsStored() {
    AuthenticatedKey one = key(1);
    assertThat(send(one, "From: " + FROM + "\r\nSubject: q1\r\n" + body(100, 7), 512, -1,
        new StreamOptions(false)).failure()).isNull();
    String subject = "over quota " + UUID.randomUUID();
    Sent sent = send(one, "From: " + FROM + "\r\nSubject: " + subject + "\r\n" + body(100, 8), 512,
        -1, new StreamOptions(false));
    assertThat(refused(sent)).isEqualTo(Reason.QUOTA);
    assertThat(((Refusal) sent.failure()).quota()).hasValueSatisfying(d -> assertThat(d.limit()).isEqualTo(1));
    assertThat(rows("subject", subject)).isZero();
  }

  @Test
  void theBlobStoreDownIsStorageUnavailableAndNothingIsCommitted() throws IOException {
    Path blobs = gateway.dataDir().resolve("blobs");
    Path aside = gateway.dataDir().resolve("blobs-aside");
    String subject = "store down " + UUID.randomUUID();
    // Tests run as root, so permissions block nothing: put a regular file where the directory was.
    Files.move(blobs, aside);
    Files.writeString(blobs, "not a directory");
    Sent sent;
    try {
      sent = send(head("<" + UUID.randomUUID() + "@stream.example>", subject) + body(400_000, 9));
    } finally {
      Files.delete(blobs);
      Files.move(aside, blobs);
    }
    assertThat(sent.failure()).isInstanceOf(BlobStoreException.class);
    assertThat(DependencyRefusals.of(sent.failure())).hasValueSatisfying(
        r -> assertThat(r.reason()).isEqualTo(Reason.STORAGE_UNAVAILABLE));
    Eventually.until(Duration.ofSeconds(10), sent.source()::finished, () -> "data drained");
    assertThat(rows("subject", subject)).isZero();
  }
}
