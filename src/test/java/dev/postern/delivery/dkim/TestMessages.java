package dev.postern.delivery.dkim;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;

/** Messages as Postern stores them (CRLF), in the shapes the DKIM tests need. */
final class TestMessages {

  private TestMessages() {}

  static byte[] bytes(String crlfText) {
    return crlfText.getBytes(StandardCharsets.UTF_8);
  }

  static String plain() {
    return """
        From: Alice <alice@example.com>\r
        To: bob@example.net\r
        Subject: Hello there\r
        Date: Mon, 23 Nov 2026 10:00:00 +0000\r
        Message-ID: <abc123@example.com>\r
        MIME-Version: 1.0\r
        Content-Type: text/plain; charset=utf-8\r
        Content-Transfer-Encoding: 7bit\r
        \r
        Hi Bob,\r
        \r
        A  line with   runs of spaces\tand tabs.  \r
        Bye.\r
        """;
  }

  static String multipartWithAttachment() {
    byte[] attachment = new byte[3000];
    new Random(7).nextBytes(attachment);
    String b64 = Base64.getMimeEncoder(76, new byte[] {'\r', '\n'}).encodeToString(attachment);
    return "From: alice@example.com\r\n"
        + "To: bob@example.net, carol@example.org\r\n"
        + "Cc: dave@example.net\r\n"
        + "Subject: Report attached\r\n"
        + "MIME-Version: 1.0\r\n"
        + "Content-Type: multipart/mixed; boundary=\"=_b1\"\r\n"
        + "\r\n"
        + "--=_b1\r\n"
        + "Content-Type: text/plain; charset=utf-8\r\n"
        + "\r\n"
        + "See the attachment.\r\n"
        + "--=_b1\r\n"
        + "Content-Type: application/octet-stream; name=\"report.bin\"\r\n"
        + "Content-Disposition: attachment; filename=\"report.bin\"\r\n"
        + "Content-Transfer-Encoding: base64\r\n"
        + "\r\n"
        + b64 + "\r\n"
        + "--=_b1--\r\n";
  }

  static String oddlyFolded() {
    return "FROM:   \"Alice  Example\"\r\n\t <alice@example.com>  \r\n"
        + "to: bob@example.net,\r\n   carol@example.org,\r\n\t\tdave@example.net\r\n"
        + "Subject:  A   subject\r\n  folded   over\r\n\tthree lines   \r\n"
        + "X-Unsigned: not in h=\r\n"
        + "Message-Id:<id@example.com>\r\n"
        + "\r\n"
        + "Body.\r\n";
  }

  static String trailingBlankLines() {
    return "From: alice@example.com\r\nSubject: trailing\r\n\r\n"
        + "text   \r\n\r\n  \r\nmore\t\r\n\r\n\r\n \t \r\n\r\n";
  }

  static String emptyBody() {
    return "From: alice@example.com\r\nSubject: nothing\r\n\r\n";
  }
}
