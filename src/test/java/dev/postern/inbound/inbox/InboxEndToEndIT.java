package dev.postern.inbound.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.postern.support.Eventually;
import dev.postern.support.ExternalProgram;
import dev.postern.support.FaultProxy;
import dev.postern.support.FreePort;
import dev.postern.support.RawHttp;
import dev.postern.support.SmtpWire;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #14 "Done when", the real path: mail delivered into the MX over SMTP, filed by the
 * filing loop (parsed by mime4j), then listed, read, marked, starred and moved, threaded (a reply
 * chain over the MX), downloaded raw and as an attachment over HTTP; and a Node EventSource client
 * receives {@code new_email} within a second of the MX's 250 and, after a forced disconnect,
 * resumes with Last-Event-ID missing nothing.
 */
class InboxEndToEndIT {

  private static final String BOX = "agent@e2e.example";
  private static TestGateway gateway;
  private static int mx;
  private static String key;
  @TempDir static Path project;

  @BeforeAll
  static void start() {
    mx = FreePort.next();
    gateway = TestGateway.start(Map.of("POSTERN_MX_PORT", Integer.toString(mx),
        "POSTERN_SMTP_HOST", "127.0.0.1"));
    HttpResponse<String> created = gateway.admin("POST", "/admin/v1/mailboxes",
        new JsonObject().put("address", BOX).put("encryption_tier", "plaintext"));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    HttpResponse<String> issued = gateway.admin("POST", "/admin/v1/keys", new JsonObject()
        .put("name", "e2e").put("mailbox", BOX).put("scope", "full_access"));
    assertThat(issued.statusCode()).as(issued.body()).isEqualTo(201);
    key = new JsonObject(issued.body()).getString("key");
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  /** One SMTP transaction from the world into the MX; returns when the 250 to the final dot is read. */
  static void deliver(String message) throws IOException {
    try (SmtpWire smtp = SmtpWire.connect(mx)) {
      assertThat(smtp.reply().code()).isEqualTo(220);
      assertThat(smtp.command("EHLO mta.partner.example").code()).isEqualTo(250);
      assertThat(smtp.command("MAIL FROM:<carol@partner.example>").code()).isEqualTo(250);
      assertThat(smtp.command("RCPT TO:<" + BOX + ">").code()).isEqualTo(250);
      assertThat(smtp.command("DATA").code()).isEqualTo(354);
      SmtpWire.Reply done = smtp.command(message + "\r\n.");
      assertThat(done.code()).as(done.toString()).isEqualTo(250);
      smtp.command("QUIT");
    }
  }

  static String plain(String subject, String messageId, String parent, List<String> references, String body) {
    return "From: Carol <carol@partner.example>\r\nTo: " + BOX + "\r\nSubject: " + subject
        + "\r\nMessage-ID: <" + messageId + ">\r\n"
        + (parent == null ? "" : "In-Reply-To: <" + parent + ">\r\nReferences: "
            + String.join(" ", references.stream().map(r -> "<" + r + ">").toList()) + "\r\n")
        + "Date: Tue, 3 Mar 2026 10:00:00 +0000\r\n\r\n" + body;
  }

  static String withAttachment(String subject, String messageId, byte[] pdf) {
    return "From: Carol <carol@partner.example>\r\nTo: " + BOX + "\r\nSubject: " + subject
        + "\r\nMessage-ID: <" + messageId + ">\r\nMIME-Version: 1.0\r\n"
        + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
        + "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe invoice is attached. Grüße.\r\n"
        + "--b1\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"invoice.pdf\"\r\n"
        + "Content-Transfer-Encoding: base64\r\n\r\n" + Base64.getMimeEncoder().encodeToString(pdf)
        + "\r\n--b1--";
  }

  private static JsonObject ok(String method, String path, JsonObject body) {
    HttpResponse<String> response = gateway.withKey(key, method, path, body);
    assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isEqualTo(200);
    return new JsonObject(response.body());
  }

  /** Waits until the filing loop has filed the message with this Message-ID; its list item. */
  private static JsonObject filed(String messageId, String folder) {
    JsonObject[] found = new JsonObject[1];
    Eventually.until(Duration.ofSeconds(20), () -> {
      for (Object m : ok("GET", "/v1/inbox/messages?limit=100&folder=" + folder, null).getJsonArray("messages")) {
        if (("<" + messageId + ">").equals(((JsonObject) m).getString("message_id"))) {
          found[0] = (JsonObject) m;
          return true;
        }
      }
      return false;
    }, () -> messageId + " was not filed");
    return found[0];
  }

  @Test
  void mailFromTheMxIsListedReadMarkedMovedThreadedAndDownloaded() throws Exception {
    String root = UUID.randomUUID() + "@partner.example";
    byte[] pdf = ("%PDF-1.4 " + "x".repeat(5000)).getBytes(StandardCharsets.US_ASCII);
    String original = withAttachment("Invoice 42", root, pdf);
    deliver(original);
    JsonObject item = filed(root, "inbox");
    String id = item.getString("id");
    assertThat(item.getString("from")).isEqualTo("Carol <carol@partner.example>");
    assertThat(item.getString("subject")).isEqualTo("Invoice 42");
    assertThat(item.getString("preview")).isEqualTo("The invoice is attached. Grüße.");
    assertThat(item.getBoolean("has_attachments")).isTrue();
    assertThat(item.getBoolean("is_read")).isFalse();

    JsonObject message = ok("GET", "/v1/inbox/messages/" + id, null);
    assertThat(message.getString("text")).startsWith("The invoice is attached. Grüße.");
    assertThat(message.getJsonObject("headers").getString("received")).contains("mta.partner.example");
    JsonArray attachments = message.getJsonArray("attachments");
    assertThat(attachments).hasSize(1);
    assertThat(attachments.getJsonObject(0).getString("filename")).isEqualTo("invoice.pdf");
    HttpResponse<byte[]> download = RawHttp.bytes(gateway.baseUrl() + "/v1/inbox/messages/" + id
        + "/attachments/" + attachments.getJsonObject(0).getString("id"), key);
    assertThat(download.statusCode()).isEqualTo(200);
    assertThat(download.headers().firstValue("Content-Type")).hasValue("application/pdf");
    assertThat(download.body()).isEqualTo(pdf);
    HttpResponse<byte[]> raw = RawHttp.bytes(gateway.baseUrl() + "/v1/inbox/messages/" + id + "/raw", key);
    assertThat(raw.statusCode()).isEqualTo(200);
    String rawText = new String(raw.body(), StandardCharsets.UTF_8);
    assertThat(rawText).startsWith("Received: from mta.partner.example").endsWith(original + "\r\n");

    // Mark read: the unread filter no longer lists it.
    assertThat(ok("PATCH", "/v1/inbox/messages/" + id, new JsonObject().put("is_read", true))
        .getBoolean("is_read")).isTrue();
    assertThat(ok("GET", "/v1/inbox/messages?unread=true", null).encode()).doesNotContain(id);

    // A reply chain over the MX joins the conversation.
    String second = UUID.randomUUID() + "@partner.example";
    deliver(plain("Re: Invoice 42", second, root, List.of(root), "Paid today."));
    // Filed before the next arrives: a thread is ordered by when each message was filed, and two
    // messages accepted back to back may be filed in either order (a CI run saw it).
    JsonObject reply = filed(second, "inbox");
    String third = UUID.randomUUID() + "@partner.example";
    deliver(plain("Re: Invoice 42", third, second, List.of(root, second), "Receipt follows."));
    JsonObject last = filed(third, "inbox");
    assertThat(reply.getString("thread_id")).isEqualTo(item.getString("thread_id"));
    assertThat(last.getString("thread_id")).isEqualTo(item.getString("thread_id"));
    JsonObject thread = ok("GET", "/v1/inbox/threads/" + item.getString("thread_id"), null);
    assertThat(thread.getInteger("message_count")).isEqualTo(3);
    List<String> order = new ArrayList<>();
    thread.getJsonArray("messages").forEach(m -> order.add(((JsonObject) m).getString("id")));
    assertThat(order).containsExactly(id, reply.getString("id"), last.getString("id"));
    assertThat(thread.getJsonArray("messages").getJsonObject(2).getJsonArray("references"))
        .containsExactly("<" + root + ">", "<" + second + ">");

    // Star and move in one request.
    JsonObject moved = ok("PATCH", "/v1/inbox/messages/" + id,
        new JsonObject().put("is_starred", true).put("folder", "archive"));
    assertThat(moved.getBoolean("is_starred")).isTrue();
    assertThat(moved.getString("folder")).isEqualTo("archive");
    assertThat(filed(root, "archive").getBoolean("is_starred")).isTrue();
    assertThat(ok("GET", "/v1/inbox/messages", null).encode()).doesNotContain(id);

    // Delete: to trash.
    assertThat(ok("DELETE", "/v1/inbox/messages/" + last.getString("id"), null).getString("folder")).isEqualTo("trash");
    filed(third, "trash");
  }

  @Test
  void eventSourceGetsNewMailWithinASecondOfTheMxs250AndResumesAfterADisconnect() throws Exception {
    assumeTrue(ExternalProgram.runs("node", "--version"), "node is not installed");
    assumeTrue(ExternalProgram.runs("npm", "--version"), "npm is not installed");
    Files.writeString(project.resolve("package.json"), "{\"name\": \"postern-sse-e2e\", \"private\": true}\n");
    ExternalProgram.succeed(project, Duration.ofMinutes(5), Map.of(),
        "npm", "install", "--no-audit", "--no-fund", InboxStreamIT.PACKAGE);
    try (InputStream script = InboxEndToEndIT.class.getResourceAsStream("/inbox/eventsource-follow.mjs")) {
      Files.write(project.resolve("eventsource-follow.mjs"), script.readAllBytes());
    }
    try (FaultProxy proxy = FaultProxy.to("127.0.0.1", gateway.config().http().port());
        SseFollower follower = new SseFollower(project, "http://127.0.0.1:" + proxy.port(), key)) {
      follower.next("connected", Duration.ofSeconds(20));
      for (int i = 0; i < 3; i++) {
        String messageId = UUID.randomUUID() + "@partner.example";
        deliver(plain("live " + i, messageId, null, List.of(), "now"));
        long accepted = System.currentTimeMillis();
        JsonObject news = follower.next("new_email", Duration.ofSeconds(5));
        assertThat(news.getLong("at") - accepted).as("new_email after the MX's 250 (ms)").isLessThan(1000);
        assertThat(news.getJsonObject("data").getString("message_id")).isEqualTo("<" + messageId + ">");
        assertThat(news.getJsonObject("data").getString("subject")).isEqualTo("live " + i);
      }

      // Forced disconnect while two messages arrive over the MX and are filed.
      proxy.down();
      follower.next("error", Duration.ofSeconds(10));
      List<String> missed = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        String messageId = UUID.randomUUID() + "@partner.example";
        deliver(plain("while away " + i, messageId, null, List.of(), "later"));
        missed.add(filed(messageId, "inbox").getString("id"));
      }
      proxy.pass();
      List<String> got = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        got.add(follower.next("new_email", Duration.ofSeconds(20)).getJsonObject("data").getString("id"));
      }
      assertThat(got).containsExactlyElementsOf(missed);
    }
  }
}
