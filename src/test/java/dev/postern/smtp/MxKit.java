package dev.postern.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.SmtpWire;
import io.vertx.sqlclient.Row;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** What the MX end-to-end tests share: a transaction from the world and looks at inbound rows. */
final class MxKit {

  private MxKit() {}

  /** The greeting and EHLO, plaintext, as an MTA delivering to us starts. */
  static SmtpWire greeted(int port) throws IOException {
    SmtpWire smtp = SmtpWire.connect(port);
    assertThat(smtp.reply().code()).isEqualTo(220);
    assertThat(smtp.command("EHLO client.example").code()).isEqualTo(250);
    return smtp;
  }

  /** MAIL, every RCPT (each must be 250), DATA, the message (dot-stuffed) and the final dot. */
  static SmtpWire.Reply deliver(SmtpWire smtp, String from, List<String> to, String message)
      throws IOException {
    assertThat(smtp.command("MAIL FROM:<" + from + ">").code()).isEqualTo(250);
    for (String recipient : to) {
      SmtpWire.Reply rcpt = smtp.command("RCPT TO:<" + recipient + ">");
      assertThat(rcpt.code()).as("RCPT %s: %s", recipient, rcpt).isEqualTo(250);
    }
    assertThat(smtp.command("DATA").code()).isEqualTo(354);
    return smtp.command(message + "\r\n.");
  }

  /** A message with a Message-ID (what lets a retry be recognised). */
  static String message(String subject, String messageId) {
    return "From: Sender <sender@elsewhere.example>\r\nTo: bot@hosted.example\r\nSubject: " + subject
        + "\r\nMessage-ID: <" + messageId + ">\r\n\r\nHello from the world.\r\n..a dotted line";
  }

  /** The message as stored: the sent octets with the dot-stuffing removed, CRLF-ended. */
  static String asReceived(String message) {
    return message.replace("\r\n..", "\r\n.") + "\r\n";
  }

  /** The mailbox address of each delivery of a raw message, in address order. */
  static List<String> deliveredTo(SmtpKit kit, String rawId) {
    List<String> out = new ArrayList<>();
    for (Row row : kit.query("SELECT m.address FROM inbound_deliveries d JOIN mailboxes m"
        + " ON m.id = d.mailbox_id WHERE d.raw_id = $1::uuid ORDER BY m.address", rawId)) {
      out.add(row.getString(0));
    }
    return out;
  }

  /** The stored octets of an inline raw message. */
  static String inlineRaw(SmtpKit kit, String rawId) {
    Row row = kit.query("SELECT mime_inline FROM inbound_raw WHERE id = $1::uuid", rawId)
        .iterator().next();
    return row.getBuffer("mime_inline").toString();
  }

  /** The raw with its {@code Received:} field (the first one, folded lines included) removed. */
  static String withoutTrace(String raw) {
    assertThat(raw).startsWith("Received: from ");
    int end = raw.indexOf("\r\n");
    while (raw.charAt(end + 2) == '\t' || raw.charAt(end + 2) == ' ') {
      end = raw.indexOf("\r\n", end + 2);
    }
    return raw.substring(end + 2);
  }
}
