package dev.postern.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.postern.support.Eventually;
import dev.postern.support.ExternalProgram;
import dev.postern.support.FreePort;
import dev.postern.support.PrivatePostfix;
import dev.postern.support.SmtpWire;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #13 "Done when": Debian's Postfix (a private {@link PrivatePostfix}) relays the world's
 * mail into our MX as an MTA in front of it would: everything it takes on its own smtpd or from
 * its sendmail goes to {@code relayhost = [127.0.0.1]:<mx>}. What it relays is filed and read
 * back through the inbox API (parsed subject, text, html, attachments, charsets decoded, three
 * mailboxes); what we refuse at RCPT (550 5.1.1 unknown local part, 554 5.7.1 a domain we do not
 * host) Postfix bounces, saying so in its log, and we keep nothing of it. Needs root and
 * postfix: skipped, saying why, without them.
 */
class PostfixIntoMxIT {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String DOMAIN = "into.example";
  private static final List<String> BOXES = List.of("a@" + DOMAIN, "b@" + DOMAIN, "c@" + DOMAIN);

  @TempDir static Path work;
  private static TestGateway gateway;
  private static SmtpKit kit;
  private static PrivatePostfix postfix;
  private static final Map<String, String> keys = new HashMap<>();

  @BeforeAll
  static void start() throws IOException {
    String unavailable = PrivatePostfix.unavailable();
    assumeTrue(unavailable == null, () -> unavailable + ": no Postfix to relay into the MX");
    int mx = FreePort.next();
    gateway = TestGateway.start(Map.of("POSTERN_MX_PORT", Integer.toString(mx),
        "POSTERN_SMTP_HOST", "127.0.0.1"));
    kit = new SmtpKit(gateway);
    for (String box : BOXES) {
      kit.mailbox(box);
      keys.put(box, kit.key(box).secret());
    }
    postfix = PrivatePostfix.create(work);
    postfix.start(List.of(
        "myhostname = mta.partner.example",
        // Nothing is local: every recipient, ours or not, goes to the relayhost, our MX.
        "mydestination =",
        "local_recipient_maps =",
        "smtpd_recipient_restrictions = permit_mynetworks, reject",
        "relayhost = [127.0.0.1]:" + mx,
        // As the world's MTAs do: STARTTLS when offered, our certificate unverified.
        "smtp_tls_security_level = may"));
  }

  @AfterAll
  static void stop() {
    try {
      if (postfix != null) {
        postfix.close();
      }
    } finally {
      if (kit != null) {
        kit.close();
      }
      if (gateway != null) {
        gateway.close();
      }
    }
  }

  @Test
  void multipartAlternativeThroughSendmailIsFiledWithItsTextAndHtml() throws Exception {
    String subject = "alternative " + UUID.randomUUID();
    String message = "From: Carol <carol@partner.example>\r\nTo: " + BOXES.get(0) + "\r\nSubject: " + subject
        + "\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n"
        + "--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlain words.\r\n"
        + "--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Rich <b>words</b>.</p>\r\n--alt--\r\n";
    // Postfix's own sendmail (postdrop into this instance's queue, MAIL_CONFIG names it).
    ExternalProgram.Outcome sent = ExternalProgram.run(work, WAIT,
        Map.of("MAIL_CONFIG", postfix.etc().toString(), "MESSAGE", message.replace("\r\n", "\n")),
        "sh", "-c", "printf '%s' \"$MESSAGE\" | /usr/sbin/sendmail -f carol@partner.example " + BOXES.get(0));
    assertThat(sent.exitCode()).as(sent.toString()).isZero();

    JsonObject filed = read(BOXES.get(0), filedWith(BOXES.get(0), subject));
    assertThat(filed.getString("text")).startsWith("Plain words.");
    assertThat(filed.getString("html")).contains("<p>Rich <b>words</b>.</p>");
    assertThat(filed.getJsonArray("attachments")).isEmpty();
  }

  @Test
  void anAttachmentIsFiledWithItsNameTypeAndSize() throws Exception {
    String subject = "attachment " + UUID.randomUUID();
    byte[] pdf = ("%PDF-1.4 " + "y".repeat(20_000)).getBytes(StandardCharsets.US_ASCII);
    String message = "From: Carol <carol@partner.example>\r\nTo: " + BOXES.get(1) + "\r\nSubject: " + subject
        + "\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"mix\"\r\n\r\n"
        + "--mix\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe report is attached.\r\n"
        + "--mix\r\nContent-Type: application/pdf\r\n"
        + "Content-Disposition: attachment; filename=\"report.pdf\"\r\n"
        + "Content-Transfer-Encoding: base64\r\n\r\n" + Base64.getMimeEncoder().encodeToString(pdf)
        + "\r\n--mix--\r\n";
    submit("carol@partner.example", List.of(BOXES.get(1)), message.getBytes(StandardCharsets.US_ASCII));

    JsonObject filed = read(BOXES.get(1), filedWith(BOXES.get(1), subject));
    assertThat(filed.getString("text")).startsWith("The report is attached.");
    JsonArray attachments = filed.getJsonArray("attachments");
    assertThat(attachments).hasSize(1);
    JsonObject pdfPart = attachments.getJsonObject(0);
    assertThat(pdfPart.getString("filename")).isEqualTo("report.pdf");
    assertThat(pdfPart.getString("content_type")).isEqualTo("application/pdf");
    assertThat(pdfPart.getLong("size")).isEqualTo(pdf.length);
    assertThat(pdfPart.getString("disposition")).isEqualTo("attachment");
  }

  @Test
  void latin1BodyAndAWindows1252EncodedWordSubjectAreDecoded() throws Exception {
    String token = UUID.randomUUID().toString();
    // RFC 2047 §4.2 Q encoding: 0xE9 é and 0x80 € in windows-1252, "_" a space.
    String subjectWord = "=?windows-1252?Q?Caf=E9_=80_" + token + "?=";
    String body = "Grüße aus Köln, ½ Preis.\r\n";
    ByteArrayOutputStream message = new ByteArrayOutputStream();
    message.writeBytes(("From: =?ISO-8859-1?Q?J=FCrgen?= <juergen@partner.example>\r\nTo: " + BOXES.get(2)
        + "\r\nSubject: " + subjectWord + "\r\nMIME-Version: 1.0\r\n"
        + "Content-Type: text/plain; charset=ISO-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    message.writeBytes(body.getBytes(StandardCharsets.ISO_8859_1));
    submit("juergen@partner.example", List.of(BOXES.get(2)), message.toByteArray());

    String subject = "Café € " + token;
    JsonObject filed = read(BOXES.get(2), filedWith(BOXES.get(2), subject));
    assertThat(filed.getString("subject")).isEqualTo(subject);
    assertThat(filed.getString("text")).startsWith("Grüße aus Köln, ½ Preis.");
    assertThat(filed.getString("from")).isEqualTo("Jürgen <juergen@partner.example>");
  }

  @Test
  void aMessageForThreeMailboxesIsOneRawFiledInEach() throws Exception {
    String subject = "three " + UUID.randomUUID();
    String message = "From: Carol <carol@partner.example>\r\nTo: " + String.join(", ", BOXES)
        + "\r\nSubject: " + subject + "\r\n\r\nFor all three of you.\r\n";
    submit("carol@partner.example", BOXES, message.getBytes(StandardCharsets.US_ASCII));

    for (String box : BOXES) {
      assertThat(read(box, filedWith(box, subject)).getString("text")).startsWith("For all three of you.");
    }
    String rawIds = "SELECT id::text FROM inbound_raw WHERE encode(mime_inline, 'escape') LIKE $1";
    assertThat(kit.query(rawIds, "%" + subject + "%").size()).isEqualTo(1);
    String rawId = kit.query(rawIds, "%" + subject + "%").iterator().next().getString(0);
    assertThat(MxKit.deliveredTo(kit, rawId)).containsExactlyElementsOf(BOXES);
    assertThat(MxKit.inlineRaw(kit, rawId)).startsWith("Received: from mta.partner.example");
  }

  @Test
  void anUnknownLocalPartIsBouncedBy550AndAForeignDomainBy554AndNothingIsKept() throws Exception {
    String subject = "refused " + UUID.randomUUID();
    String unknown = "nobody-" + UUID.randomUUID().toString().substring(0, 8) + "@" + DOMAIN;
    String foreign = "someone-" + UUID.randomUUID().toString().substring(0, 8) + "@foreign.example";
    for (String recipient : List.of(unknown, foreign)) {
      String message = "From: Carol <carol@partner.example>\r\nTo: " + recipient + "\r\nSubject: " + subject
          + "\r\n\r\nWill you take this?\r\n";
      submit("carol@partner.example", List.of(recipient), message.getBytes(StandardCharsets.US_ASCII));
    }
    // Postfix's log of each recipient: the MX's answer to its RCPT, and the bounce that follows.
    Pattern unknownBounced = bounced(unknown, "550 5.1.1");
    Pattern foreignBounced = bounced(foreign, "554 5.7.1");
    Eventually.until(WAIT, () -> unknownBounced.matcher(postfix.maillog()).find()
        && foreignBounced.matcher(postfix.maillog()).find(),
        () -> "Postfix did not bounce both with our refusals; its log:\n" + postfix.maillog());
    assertThat(kit.count("SELECT count(*) FROM inbound_raw WHERE encode(mime_inline, 'escape') LIKE $1",
        "%" + subject + "%")).isZero();
  }

  /** {@code to=<recipient>, relay=<our MX>, … status=bounced (host … said: <reply> … (in reply to RCPT TO command))}. */
  private static Pattern bounced(String recipient, String reply) {
    return Pattern.compile("to=<" + Pattern.quote(recipient) + ">, relay=127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\]:\\d+,"
        + ".*status=bounced \\(host 127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\] said: " + Pattern.quote(reply)
        + ".*\\(in reply to RCPT TO command\\)\\)");
  }

  /** One transaction on Postfix's smtpd: MAIL, each RCPT, DATA, the octets as given, the dot. */
  private static void submit(String from, List<String> to, byte[] message) throws IOException {
    try (SmtpWire smtp = SmtpWire.connect(postfix.smtpdPort())) {
      assertThat(smtp.reply().code()).isEqualTo(220);
      assertThat(smtp.command("EHLO client.partner.example").code()).isEqualTo(250);
      assertThat(smtp.command("MAIL FROM:<" + from + ">").code()).isEqualTo(250);
      for (String recipient : to) {
        SmtpWire.Reply rcpt = smtp.command("RCPT TO:<" + recipient + ">");
        assertThat(rcpt.code()).as("Postfix RCPT %s: %s", recipient, rcpt).isEqualTo(250);
      }
      assertThat(smtp.command("DATA").code()).isEqualTo(354);
      smtp.send(message);
      SmtpWire.Reply queued = smtp.command(".");
      assertThat(queued.code()).as(queued.toString()).isEqualTo(250);
      smtp.command("QUIT");
    }
  }

  /** Waits until the inbox API lists a message with {@code subject} in {@code box}; its id. */
  private static String filedWith(String box, String subject) {
    String[] id = new String[1];
    Eventually.until(WAIT, () -> {
      for (Object m : ok(box, "/v1/inbox/messages?limit=100").getJsonArray("messages")) {
        if (subject.equals(((JsonObject) m).getString("subject"))) {
          id[0] = ((JsonObject) m).getString("id");
          return true;
        }
      }
      return false;
    }, () -> "\"" + subject + "\" not filed in " + box + "; Postfix's log:\n" + postfix.maillog());
    return id[0];
  }

  private static JsonObject read(String box, String id) {
    return ok(box, "/v1/inbox/messages/" + id);
  }

  private static JsonObject ok(String box, String path) {
    HttpResponse<String> response = gateway.withKey(keys.get(box), "GET", path, null);
    assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
    return new JsonObject(response.body());
  }
}
