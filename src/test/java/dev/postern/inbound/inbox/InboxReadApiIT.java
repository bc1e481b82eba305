package dev.postern.inbound.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.InboxSeed;
import dev.postern.support.RawHttp;
import dev.postern.support.InboxSeed.Filed;
import dev.postern.support.TestGateway;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue #14 items 1, 2 and 4 over real HTTP against messages filed through the mail store: list shape, filters
 * and paging, one message, raw MIME, attachments, threads, and the access rules of TESTING.md
 * REST 6–8 (BOLA, {@code %2e%2e}, wrong scope, wrong tier).
 */
class InboxReadApiIT {

  private static TestGateway gateway;
  private static InboxSeed seed;
  private static UUID bot;
  private static UUID other;
  private static UUID vault;
  private static String botKey;
  private static String otherKey;
  private static String domainKey;
  private static String sendOnlyKey;
  private static String readOnlyKey;
  private static String vaultKey;
  private static Filed first;
  private static Filed reply;
  private static Filed withAttachments;
  private static Filed otherMessage;
  private static Filed sealed;
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  @BeforeAll
  static void start() {
    gateway = TestGateway.start();
    seed = new InboxSeed(gateway);
    bot = seed.mailbox("bot@inbox.test", "plaintext");
    other = seed.mailbox("other@inbox.test", "plaintext");
    vault = seed.mailbox("vault@inbox.test", "standard");
    seed.mailbox("stranger@elsewhere.test", "plaintext");
    botKey = key(new JsonObject().put("mailbox", "bot@inbox.test").put("scope", "full_access"));
    otherKey = key(new JsonObject().put("mailbox", "other@inbox.test").put("scope", "full_access"));
    domainKey = key(new JsonObject().put("domain", "inbox.test").put("scope", "read_only"));
    sendOnlyKey = key(new JsonObject().put("mailbox", "bot@inbox.test").put("scope", "send_only"));
    readOnlyKey = key(new JsonObject().put("mailbox", "bot@inbox.test").put("scope", "read_only"));
    vaultKey = key(new JsonObject().put("mailbox", "vault@inbox.test").put("scope", "full_access"));

    first = seed.file(bot, InboxSeed.mail().from("Carol \"C\" Q.", "carol@partner.test").to("bot@inbox.test")
        .subject("Quarterly invoice").text("Please find the invoice numbers below. Pineapple.")
        .html("<p>Please</p>").messageId("q1@partner.test").receivedAt(T0));
    reply = seed.file(bot, InboxSeed.mail().from("Dave", "dave@partner.test").to("bot@inbox.test")
        .subject("Re: Quarterly invoice").text("Thanks!").messageId("q2@partner.test")
        .inReplyTo("q1@partner.test").references("q1@partner.test")
        .flags("\\Seen", "\\Flagged").receivedAt(T0.plusSeconds(60)));
    withAttachments = seed.file(bot, InboxSeed.mail().from("Eve", "eve@other.test").to("bot@inbox.test")
        .subject("Files").text("two files").receivedAt(T0.plusSeconds(120))
        .attach("rép\"ort\r\n../x.pdf", "application/pdf", "%PDF-1.4 fake".getBytes(StandardCharsets.UTF_8))
        .attach("page.html", "text/html\r\nX-Evil: 1", "<script>alert(1)</script>".getBytes(StandardCharsets.UTF_8)));
    seed.file(bot, InboxSeed.mail().folder("archive").subject("Archived").receivedAt(T0.plusSeconds(180)));
    otherMessage = seed.file(other, InboxSeed.mail().subject("Not yours").receivedAt(T0));
    sealed = seed.file(vault, InboxSeed.mail().subject("secret").encrypted().receivedAt(T0));
  }

  @AfterAll
  static void stop() {
    seed.close();
    gateway.close();
  }

  private static String key(JsonObject request) {
    HttpResponse<String> created = gateway.admin("POST", "/admin/v1/keys", request.put("name", "k"));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return new JsonObject(created.body()).getString("key");
  }

  private static HttpResponse<String> get(String key, String path) {
    return gateway.withKey(key, "GET", path, null);
  }

  private static JsonObject ok(String key, String path) {
    HttpResponse<String> response = get(key, path);
    assertThat(response.statusCode()).as(path + " " + response.body()).isEqualTo(200);
    return new JsonObject(response.body());
  }

  private static List<String> ids(JsonObject page) {
    List<String> ids = new ArrayList<>();
    page.getJsonArray("messages").forEach(m -> ids.add(((JsonObject) m).getString("id")));
    return ids;
  }

  @Test
  void listIsNewestFirstInTheListItemShape() {
    HttpResponse<String> response = get(botKey, "/v1/inbox/messages");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("X-RateLimit-Limit")).hasValue("3600");
    assertThat(response.headers().firstValue("X-RateLimit-Remaining")).isPresent();
    JsonObject page = new JsonObject(response.body());
    assertThat(ids(page)).containsExactly(withAttachments.id().toString(), reply.id().toString(),
        first.id().toString());
    assertThat(page.getValue("next_cursor")).isNull();
    JsonObject item = page.getJsonArray("messages").getJsonObject(1);
    assertThat(item.fieldNames()).containsExactlyInAnyOrder("id", "message_id", "from", "to", "subject",
        "preview", "received_at", "folder", "is_read", "is_starred", "has_attachments", "size_bytes", "thread_id");
    assertThat(item.getString("message_id")).isEqualTo("<q2@partner.test>");
    assertThat(item.getString("from")).isEqualTo("Dave <dave@partner.test>");
    assertThat(item.getJsonArray("to")).containsExactly("bot@inbox.test");
    assertThat(item.getString("subject")).isEqualTo("Re: Quarterly invoice");
    assertThat(item.getString("preview")).isEqualTo("Thanks!");
    assertThat(item.getString("received_at")).isEqualTo("2026-03-01T10:01:00.000000Z");
    assertThat(item.getString("folder")).isEqualTo("inbox");
    assertThat(item.getBoolean("is_read")).isTrue();
    assertThat(item.getBoolean("is_starred")).isTrue();
    assertThat(item.getBoolean("has_attachments")).isFalse();
    assertThat(item.getLong("size_bytes")).isPositive();
    assertThat(item.getString("thread_id")).isEqualTo(first.threadId().toString());
    assertThat(page.getJsonArray("messages").getJsonObject(2).getString("from"))
        .isEqualTo("\"Carol \\\"C\\\" Q.\" <carol@partner.test>");

    assertThat(ids(ok(botKey, "/v1/inbox/messages?folder=archive"))).hasSize(1);
    assertThat(ids(ok(botKey, "/v1/inbox/messages?folder=nothing-here"))).isEmpty();
  }

  @Test
  void filtersNarrowTheList() {
    assertThat(ids(ok(botKey, "/v1/inbox/messages?unread=true")))
        .containsExactly(withAttachments.id().toString(), first.id().toString());
    assertThat(ids(ok(botKey, "/v1/inbox/messages?unread=false"))).containsExactly(reply.id().toString());
    assertThat(ids(ok(botKey, "/v1/inbox/messages?starred=true"))).containsExactly(reply.id().toString());
    assertThat(ids(ok(botKey, "/v1/inbox/messages?from=DAVE@partner.test"))).containsExactly(reply.id().toString());
    assertThat(ids(ok(botKey, "/v1/inbox/messages?from=partner.test")))
        .containsExactly(reply.id().toString(), first.id().toString());
    assertThat(ids(ok(botKey, "/v1/inbox/messages?has_attachments=true")))
        .containsExactly(withAttachments.id().toString());
    assertThat(ids(ok(botKey, "/v1/inbox/messages?q=pineapple"))).containsExactly(first.id().toString());
    assertThat(ids(ok(botKey, "/v1/inbox/messages?q=eve"))).containsExactly(withAttachments.id().toString());
    assertThat(ids(ok(botKey, "/v1/inbox/messages?q=quarterly&unread=true"))).containsExactly(first.id().toString());
    assertThat(ids(ok(botKey, "/v1/inbox/messages?limit=1"))).containsExactly(withAttachments.id().toString());
  }

  @Test
  void badParametersAreValidationErrorsNamingEachOne() {
    HttpResponse<String> response = get(botKey, "/v1/inbox/messages?limit=101&before=yesterday&unread=maybe");
    assertThat(response.statusCode()).isEqualTo(400);
    JsonObject body = new JsonObject(response.body());
    assertThat(body.getString("name")).isEqualTo("validation_error");
    List<String> paths = new ArrayList<>();
    body.getJsonArray("issues").forEach(i -> paths.add(((JsonObject) i).getString("path")));
    assertThat(paths).containsExactlyInAnyOrder("limit", "before", "unread");
    assertThat(get(botKey, "/v1/inbox/messages?limit=0").statusCode()).isEqualTo(400);
    assertThat(get(botKey, "/v1/inbox/messages?folder=" + "x".repeat(65)).statusCode()).isEqualTo(400);
  }

  @Test
  void pagingNeverSkipsNorRepeatsAThousandMessagesOfOneSecondWhileMailArrives() {
    UUID box = seed.mailbox("pager@inbox.test", "plaintext");
    String key = key(new JsonObject().put("mailbox", "pager@inbox.test").put("scope", "read_only"));
    Instant second = Instant.parse("2026-04-01T08:00:00Z");
    seed.bulk(box, "inbox", 1000, second);
    Set<String> subjects = new HashSet<>();
    List<String> order = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonObject page = ok(key, "/v1/inbox/messages?limit=37" + (cursor == null ? "" : "&before=" + cursor));
      page.getJsonArray("messages").forEach(m -> {
        String subject = ((JsonObject) m).getString("subject");
        assertThat(subjects.add(subject)).as("repeated " + subject).isTrue();
        order.add(subject);
      });
      cursor = page.getString("next_cursor");
      if (pages == 3) {
        // New mail arrives mid-walk: it is newer than every cursor, so the walk neither sees it
        // nor shifts.
        seed.file(box, InboxSeed.mail().subject("late arrival").receivedAt(second.plusSeconds(86_400)));
      }
      pages++;
    } while (cursor != null && pages < 100);
    assertThat(subjects).hasSize(1000);
    assertThat(pages).isEqualTo(28);
    assertThat(order.get(0)).isEqualTo("bulk 999");
    assertThat(order.get(999)).isEqualTo("bulk 0");
    assertThat(ids(ok(key, "/v1/inbox/messages?limit=1"))).hasSize(1);
    assertThat(ok(key, "/v1/inbox/messages?limit=1").getJsonArray("messages").getJsonObject(0)
        .getString("subject")).isEqualTo("late arrival");
    // A cursor with an offset other than Z names the same instant.
    JsonObject shifted = ok(key, "/v1/inbox/messages?limit=2&before=2026-04-01T10:00:00.000500%2B02:00");
    assertThat(shifted.getJsonArray("messages").getJsonObject(0).getString("subject")).isEqualTo("bulk 499");
  }

  @Test
  void oneMessageCarriesHeadersBodiesThreadingAndAttachments() {
    JsonObject message = ok(botKey, "/v1/inbox/messages/" + reply.id());
    assertThat(message.getString("id")).isEqualTo(reply.id().toString());
    assertThat(message.getString("text")).isEqualTo("Thanks!");
    assertThat(message.getString("in_reply_to")).isEqualTo("<q1@partner.test>");
    assertThat(message.getJsonArray("references")).containsExactly("<q1@partner.test>");
    assertThat(message.getInteger("thread_position")).isEqualTo(2);
    JsonObject headers = message.getJsonObject("headers");
    assertThat(headers.getString("from")).isEqualTo("Dave <dave@partner.test>");
    assertThat(headers.getJsonArray("to")).containsExactly("bot@inbox.test");
    assertThat(headers.getString("subject")).isEqualTo("Re: Quarterly invoice");
    assertThat(headers.getString("x-mailer")).isEqualTo("seed");
    assertThat(headers.getJsonArray("received")).containsExactly("from a", "from b");
    assertThat(message.getJsonArray("attachments")).isEmpty();

    JsonObject files = ok(botKey, "/v1/inbox/messages/" + withAttachments.id());
    assertThat(files.getBoolean("has_attachments")).isTrue();
    JsonArray attachments = files.getJsonArray("attachments");
    assertThat(attachments).hasSize(2);
    assertThat(attachments.getJsonObject(0).getString("id")).isEqualTo(withAttachments.attachmentIds().get(0).toString());
    assertThat(attachments.getJsonObject(0).getLong("size")).isEqualTo(13);
    assertThat(ok(botKey, "/v1/inbox/messages/" + withAttachments.id() + "/attachments").getJsonArray("attachments"))
        .isEqualTo(attachments);
  }

  @Test
  void attachmentsDownloadWithSafeHeaders() {
    String base = "/v1/inbox/messages/" + withAttachments.id() + "/attachments/";
    HttpResponse<String> pdf = get(botKey, base + withAttachments.attachmentIds().get(0));
    assertThat(pdf.statusCode()).isEqualTo(200);
    assertThat(pdf.body()).isEqualTo("%PDF-1.4 fake");
    assertThat(pdf.headers().firstValue("Content-Type")).hasValue("application/pdf");
    assertThat(pdf.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(pdf.headers().firstValue("Content-Disposition")).hasValue(
        "attachment; filename=\"r_p_ort__.._x.pdf\"; filename*=UTF-8''r%C3%A9p_ort__.._x.pdf");
    HttpResponse<String> html = get(botKey, base + withAttachments.attachmentIds().get(1));
    assertThat(html.statusCode()).isEqualTo(200);
    assertThat(html.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
    assertThat(html.headers().firstValue("X-Evil")).isEmpty();
    assertThat(html.headers().firstValue("Content-Disposition").orElseThrow()).startsWith("attachment;");
  }

  @Test
  void largeAttachmentsAndRawMessagesStreamFromTheBlobStore() {
    byte[] big = new byte[3 * 1024 * 1024 + 17];
    new java.util.Random(7).nextBytes(big);
    byte[] mime = ("Subject: big\r\n\r\n" + "x".repeat(2_000_000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    gateway.core().blobs().put("in/2026/03/01/seed-raw.eml", Buffer.buffer(mime)).await();
    Filed filed = seed.file(bot, InboxSeed.mail().folder("files").subject("big").receivedAt(T0.minusSeconds(3600))
        .rawBlob("in/2026/03/01/seed-raw.eml", mime.length)
        .attach("big.bin", "application/octet-stream", big));
    assertThat(seed.text("SELECT blob_key FROM mail_attachments WHERE message_id = $1", filed.id())).startsWith("in/att/");
    HttpResponse<byte[]> att = bytes(botKey, "/v1/inbox/messages/" + filed.id() + "/attachments/"
        + filed.attachmentIds().get(0));
    assertThat(att.statusCode()).isEqualTo(200);
    assertThat(att.body()).isEqualTo(big);
    HttpResponse<byte[]> raw = bytes(botKey, "/v1/inbox/messages/" + filed.id() + "/raw");
    assertThat(raw.statusCode()).isEqualTo(200);
    assertThat(raw.headers().firstValue("Content-Type")).hasValue("message/rfc822");
    assertThat(raw.body()).isEqualTo(mime);
  }

  @Test
  void rawIsTheOriginalMime() {
    byte[] mime = "From: a@b.test\r\nSubject: raw\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);
    Filed filed = seed.file(bot, InboxSeed.mail().folder("files").subject("raw").raw(mime).receivedAt(T0.minusSeconds(7200)));
    HttpResponse<byte[]> raw = bytes(botKey, "/v1/inbox/messages/" + filed.id() + "/raw");
    assertThat(raw.statusCode()).isEqualTo(200);
    assertThat(raw.headers().firstValue("Content-Type")).hasValue("message/rfc822");
    assertThat(raw.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(raw.body()).isEqualTo(mime);
  }

  @Test
  void threadIsTheConversationInOrder() {
    JsonObject thread = ok(botKey, "/v1/inbox/threads/" + first.threadId());
    assertThat(thread.getString("id")).isEqualTo(first.threadId().toString());
    assertThat(thread.getInteger("message_count")).isEqualTo(2);
    JsonArray messages = thread.getJsonArray("messages");
    assertThat(messages.getJsonObject(0).getString("id")).isEqualTo(first.id().toString());
    assertThat(messages.getJsonObject(1).getString("id")).isEqualTo(reply.id().toString());
    assertThat(messages.getJsonObject(1).getString("text")).isEqualTo("Thanks!");
  }

  @Test
  void anotherMailboxsIdsUnknownIdsAndMalformedIdsAreTheSame404() {
    String theirs = otherMessage.id().toString();
    String unknown = UUID.randomUUID().toString();
    String attachment = withAttachments.attachmentIds().get(0).toString();
    List<String> paths = List.of(
        "/v1/inbox/messages/" + theirs, "/v1/inbox/messages/" + unknown, "/v1/inbox/messages/not-a-uuid",
        "/v1/inbox/messages/" + theirs + "/raw", "/v1/inbox/messages/" + unknown + "/raw",
        "/v1/inbox/messages/" + theirs + "/attachments", "/v1/inbox/messages/12/attachments",
        "/v1/inbox/messages/" + theirs + "/attachments/" + attachment,
        "/v1/inbox/messages/" + reply.id() + "/attachments/" + attachment,
        "/v1/inbox/messages/" + withAttachments.id() + "/attachments/" + unknown,
        "/v1/inbox/threads/" + otherMessage.threadId(), "/v1/inbox/threads/" + unknown,
        "/v1/inbox/threads/%27%20OR%201=1");
    String expected = null;
    for (String path : paths) {
      HttpResponse<String> response = get(botKey, path);
      assertThat(response.statusCode()).as(path).isEqualTo(404);
      JsonObject body = new JsonObject(response.body());
      assertThat(body.getString("name")).isEqualTo("not_found");
      body.remove("message");
      expected = expected == null ? body.encode() : expected;
      assertThat(body.encode()).as(path).isEqualTo(expected);
    }
    // The owner does see it: the 404s above are about the key, not the data.
    assertThat(get(otherKey, "/v1/inbox/messages/" + theirs).statusCode()).isEqualTo(200);
  }

  @Test
  void dotSegmentsInPathsAre404() {
    String message = "/v1/inbox/messages/" + withAttachments.id();
    for (String path : List.of(message + "/attachments/%2e%2e", message + "/attachments/%2E%2E",
        message + "/raw/%2e%2e/", message + "/attachments/..", "/v1/emails/%2e%2e/inbox/messages",
        "/v1/inbox/messages/%2e%2e/%2e%2e/messages/" + withAttachments.id(),
        message + "/attachments/x%2f..%2f..")) {
      HttpResponse<String> response = rawPath(botKey, path);
      assertThat(response.statusCode()).as(path).isEqualTo(404);
      assertThat(new JsonObject(response.body()).getString("name")).as(path).isEqualTo("not_found");
    }
  }

  @Test
  void domainBoundKeysNameAMailboxOfTheirDomain() {
    assertThat(ids(ok(domainKey, "/v1/inbox/messages?mailbox=BOT@inbox.test"))).hasSize(3);
    assertThat(ids(ok(domainKey, "/v1/inbox/messages?email=bot@inbox.test"))).hasSize(3);
    assertThat(ids(ok(domainKey, "/v1/inbox/messages?mailbox=" + other))).hasSize(1);
    assertThat(ok(domainKey, "/v1/inbox/messages/" + otherMessage.id() + "?mailbox=other@inbox.test")
        .getString("subject")).isEqualTo("Not yours");
    HttpResponse<String> missing = get(domainKey, "/v1/inbox/messages");
    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(missing.body()).getJsonArray("issues").getJsonObject(0).getString("path")).isEqualTo("mailbox");
    assertThat(get(domainKey, "/v1/inbox/messages?mailbox=stranger@elsewhere.test").statusCode()).isEqualTo(404);
    assertThat(get(domainKey, "/v1/inbox/messages?mailbox=nobody@inbox.test").statusCode()).isEqualTo(404);
    // The message is in other@, not bot@: named through the wrong mailbox it is not found.
    assertThat(get(domainKey, "/v1/inbox/messages/" + otherMessage.id() + "?mailbox=bot@inbox.test").statusCode())
        .isEqualTo(404);
    // A mailbox-bound key never reaches another mailbox by naming it.
    assertThat(get(botKey, "/v1/inbox/messages?mailbox=other@inbox.test").statusCode()).isEqualTo(404);
    assertThat(ids(ok(botKey, "/v1/inbox/messages?mailbox=bot@inbox.test"))).hasSize(3);
  }

  @Test
  void keysWithoutTheScopeAreForbidden() {
    for (String path : List.of("/v1/inbox/messages", "/v1/inbox/messages/" + first.id(),
        "/v1/inbox/messages/" + first.id() + "/raw", "/v1/inbox/messages/" + first.id() + "/attachments",
        "/v1/inbox/threads/" + first.threadId())) {
      HttpResponse<String> response = get(sendOnlyKey, path);
      assertThat(response.statusCode()).as(path).isEqualTo(403);
      assertThat(new JsonObject(response.body()).getString("name")).isEqualTo("forbidden_scope");
    }
    assertThat(get(readOnlyKey, "/v1/inbox/messages").statusCode()).isEqualTo(200);
    HttpResponse<String> send = gateway.withKey(readOnlyKey, "POST", "/v1/emails", new JsonObject()
        .put("from", "bot@inbox.test").put("to", "x@y.test").put("subject", "s").put("text", "t"));
    assertThat(send.statusCode()).isEqualTo(403);
    assertThat(new JsonObject(send.body()).getString("name")).isEqualTo("forbidden_scope");
    assertThat(get("pst_live_" + "0".repeat(48), "/v1/inbox/messages").statusCode()).isEqualTo(401);
  }

  @Test
  void aStandardTierMailboxKeepsBodiesOutOfReach() {
    JsonObject page = ok(vaultKey, "/v1/inbox/messages");
    JsonObject item = page.getJsonArray("messages").getJsonObject(0);
    assertThat(item.getString("id")).isEqualTo(sealed.id().toString());
    assertThat(item.getValue("subject")).isNull();
    assertThat(item.getValue("preview")).isNull();
    for (String path : List.of("/v1/inbox/messages/" + sealed.id(), "/v1/inbox/messages/" + sealed.id() + "/raw",
        "/v1/inbox/messages/" + sealed.id() + "/attachments", "/v1/inbox/threads/" + sealed.threadId(),
        "/v1/inbox/messages?q=secret")) {
      HttpResponse<String> response = get(vaultKey, path);
      assertThat(response.statusCode()).as(path).isEqualTo(409);
      assertThat(new JsonObject(response.body()).getString("name")).isEqualTo("mailbox_not_api_readable");
    }
  }

  private static HttpResponse<byte[]> bytes(String key, String path) {
    return RawHttp.bytes(gateway.baseUrl() + path, key);
  }

  private static HttpResponse<String> rawPath(String key, String path) {
    return RawHttp.literal(gateway.config().http().port(), path, key);
  }
}
