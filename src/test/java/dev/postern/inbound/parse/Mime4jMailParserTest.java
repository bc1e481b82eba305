package dev.postern.inbound.parse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.inbound.parse.ParsedMail.HeaderField;
import dev.postern.inbound.parse.ParsedMail.MailAddress;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Real-looking messages (src/test/resources/mail/) read into {@link ParsedMail}. */
class Mime4jMailParserTest {

  private final Mime4jMailParser parser = new Mime4jMailParser();

  /** A resource with its line ends turned into CRLF, as SMTP DATA delivers them. */
  static byte[] resource(String name) {
    try (InputStream in = Mime4jMailParserTest.class.getResourceAsStream("/mail/" + name)) {
      byte[] lf = in.readAllBytes();
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(lf.length + 100);
      for (byte b : lf) {
        if (b == '\n') {
          out.write('\r');
        }
        out.write(b);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private ParsedMail parse(String resource) {
    return parser.parse(new ByteArrayInputStream(resource(resource)));
  }

  private ParsedMail parse(String raw, Charset charset) {
    return parser.parse(new ByteArrayInputStream(raw.replace("\n", "\r\n").getBytes(charset)));
  }

  private static String lf(String s) {
    return s.replace("\r\n", "\n");
  }

  @Test
  void outlookMixedAlternativeGivesBothBodiesAndDecodedAttachmentNames() {
    ParsedMail mail = parse("outlook-mixed-alternative.eml");

    assertThat(mail.failed()).isFalse();
    assertThat(mail.problems()).isEmpty();
    assertThat(mail.subject()).isEqualTo("Rechnung für Juni – bitte prüfen");
    assertThat(mail.from()).contains(new MailAddress("Anna Müller", "anna.mueller@corp.example"));
    assertThat(mail.to()).containsExactly(new MailAddress("Jürgen Groß", "jg@example.org"),
        new MailAddress("Buchhaltung", "buchhaltung@example.org"));
    assertThat(mail.cc()).containsExactly(new MailAddress("Smith, Bob", "bob@example.com"));
    assertThat(mail.messageId())
        .contains("AM0PR07MB1234567890ABCDEF@AM0PR07MB1234.eurprd07.prod.outlook.com");
    assertThat(mail.date()).contains(Instant.parse("2025-06-03T07:12:43Z"));
    assertThat(lf(mail.text().orElseThrow()))
        .startsWith("Hallo Jürgen,\n\nanbei die Rechnung – bitte prüfen. Kosten: 20 €.");
    // labelled iso-8859-1, written in windows-1252: read as windows-1252 (WHATWG)
    assertThat(mail.html().orElseThrow()).contains("Rechnung – bitte prüfen. Kosten: 20 €.");
    assertThat(mail.attachments()).hasSize(2);
    ParsedAttachment pdf = mail.attachments().get(0);
    assertThat(pdf.filename()).isEqualTo("Rechnung Jürgen.pdf");
    assertThat(pdf.contentType()).isEqualTo("application/pdf");
    assertThat(pdf.disposition()).isEqualTo("attachment");
    assertThat(new String(pdf.content(), StandardCharsets.US_ASCII)).startsWith("%PDF-1.4\n");
    ParsedAttachment sheet = mail.attachments().get(1);
    assertThat(sheet.filename()).isEqualTo("Übersicht – Juni € Kosten.xlsx");
    assertThat(sheet.content()).startsWith('P', 'K', 3, 4);
    assertThat(mail.headers()).contains(new HeaderField("Thread-Topic", "Rechnung"));
    assertThat(mail.headers().get(0).value()).startsWith("from EXCH01.corp.example (10.0.0.5) by"
        + " EXCH02.corp.example (10.0.0.6) with");
  }

  @Test
  void gmailAlternativeInUtf8WithGroupsAndEncodedNames() {
    ParsedMail mail = parse("gmail-alternative.eml");

    assertThat(mail.failed()).isFalse();
    assertThat(mail.subject()).isEqualTo("Party am Freitag 🎉");
    assertThat(mail.from()).contains(new MailAddress("Zoë Kruße", "zoe.kruse@gmail.com"));
    assertThat(mail.to()).containsExactly(new MailAddress(null, "jg@example.org"),
        new MailAddress("Renée", "renee@example.net"),
        new MailAddress("Sam \"the man\" O'Neil", "sam@example.com"));
    assertThat(mail.cc()).isEmpty();
    assertThat(mail.replyTo()).containsExactly(new MailAddress("Zoe", "zoe+party@gmail.com"));
    assertThat(mail.messageId()).contains("CAHk=wjX8z+abc_DEF-123@mail.gmail.com");
    assertThat(mail.date()).contains(Instant.parse("2025-06-04T09:03:01Z"));
    assertThat(lf(mail.text().orElseThrow())).contains("see you on Friday 🎉 — bring snacks.");
    assertThat(mail.html().orElseThrow()).contains("<div dir=\"ltr\">Hi all,").contains("Zoë");
    assertThat(mail.attachments()).isEmpty();
  }

  @Test
  void appleMailInlineImageIsAnInlineAttachmentWithItsContentId() {
    ParsedMail mail = parse("apple-inline-image.eml");

    assertThat(mail.failed()).isFalse();
    assertThat(mail.text().orElseThrow()).contains("[image: photo.png]");
    assertThat(mail.html().orElseThrow())
        .contains("<img src=\"cid:5F1A6C2B-1111-2222-3333-444444444444\"");
    assertThat(mail.attachments()).hasSize(2);
    ParsedAttachment image = mail.attachments().get(0);
    assertThat(image.filename()).isEqualTo("photo.png");
    assertThat(image.contentType()).isEqualTo("image/png");
    assertThat(image.disposition()).isEqualTo("inline");
    assertThat(image.contentId()).contains("5F1A6C2B-1111-2222-3333-444444444444");
    assertThat(image.content()).startsWith(0x89, 'P', 'N', 'G');
    ParsedAttachment unnamed = mail.attachments().get(1);
    assertThat(unnamed.filename()).isEqualTo("attachment-2.pdf");
    assertThat(unnamed.disposition()).isEqualTo("attachment");
    assertThat(mail.date()).contains(Instant.parse("2025-06-05T22:30:00Z"));
  }

  @Test
  void japaneseIso2022JpSubjectNameAndBodyAreDecoded() {
    ParsedMail mail = parse("japanese-iso-2022-jp.eml");

    assertThat(mail.failed()).isFalse();
    assertThat(mail.subject()).isEqualTo("会議の件について");
    assertThat(mail.from()).contains(new MailAddress("山田太郎", "yamada@example.jp"));
    assertThat(lf(mail.text().orElseThrow()))
        .isEqualTo("お世話になっております。\n明日の会議は10時からです。\nよろしくお願いいたします。\n");
  }

  @Test
  void thunderbirdReplyGivesTheReferencesChainAndInReplyTo() {
    ParsedMail mail = parse("thunderbird-reply.eml");

    assertThat(mail.failed()).isFalse();
    assertThat(mail.inReplyTo()).contains("fourth.4@example.org");
    assertThat(mail.references()).containsExactly("first.1@corp.example", "second.2@example.org",
        "third.3@corp.example", "fourth.4@example.org");
    assertThat(mail.from()).contains(new MailAddress("Jürgen Groß", "jg@example.org"));
    assertThat(mail.subject()).isEqualTo("Re: Re: Planning");
    assertThat(mail.text().orElseThrow()).contains("> Let's meet at the café.");
    assertThat(mail.html()).isEmpty();
  }

  @Test
  void anAttachedMessageIsAnAttachmentAndNotReadForBodies() {
    ParsedMail mail = parse("forwarded-rfc822.eml");

    assertThat(mail.failed()).isFalse();
    assertThat(mail.text().orElseThrow()).contains("See the forwarded message.");
    assertThat(mail.html()).isEmpty();
    assertThat(mail.attachments()).singleElement().satisfies(a -> {
      assertThat(a.contentType()).isEqualTo("message/rfc822");
      assertThat(a.filename()).isEqualTo("attachment-1.eml");
      assertThat(new String(a.content(), StandardCharsets.UTF_8))
          .contains("Subject: Inner subject").contains("inner html must not");
    });
    // obsolete two-digit year and no seconds (RFC 5322 §4.3)
    assertThat(mail.date()).contains(Instant.parse("2025-06-08T10:00:00Z"));
  }

  @Test
  void bodiesInEachCommonCharsetComeOutAsTheSameText() {
    String text = "Привет, мир";
    for (String charset : new String[] {"KOI8-R", "windows-1251", "UTF-8", "ISO-8859-5"}) {
      ParsedMail mail = parser.parse(new ByteArrayInputStream(bytes(
          "Subject: x\r\nContent-Type: text/plain; charset=" + charset + "\r\n\r\n", text,
          Charset.forName(charset))));
      assertThat(mail.text()).as(charset).contains(text);
      assertThat(mail.problems()).as(charset).isEmpty();
    }
    String japanese = "日本語のテキスト";
    ParsedMail sjis = parser.parse(new ByteArrayInputStream(bytes(
        "Content-Type: text/plain; charset=Shift_JIS\r\n\r\n", japanese,
        Charset.forName("Shift_JIS"))));
    assertThat(sjis.text()).contains(japanese);
    ParsedMail cp1252 = parser.parse(new ByteArrayInputStream(bytes(
        "Content-Type: text/plain; charset=windows-1252\r\n\r\n", "“quoted” – 20 €",
        Charset.forName("windows-1252"))));
    assertThat(cp1252.text()).contains("“quoted” – 20 €");
  }

  @Test
  void anUnknownCharsetFallsBackAndSaysSo() {
    ParsedMail utf8 = parser.parse(new ByteArrayInputStream(bytes(
        "Content-Type: text/plain; charset=x-unheard-of\r\n\r\n", "naïve café",
        StandardCharsets.UTF_8)));
    assertThat(utf8.text()).contains("naïve café");
    assertThat(utf8.failed()).isFalse();
    assertThat(utf8.problems()).singleElement().asString().contains("x-unheard-of");

    ParsedMail latin = parser.parse(new ByteArrayInputStream(bytes(
        "Content-Type: text/plain; charset=bogus\r\n\r\n", "naïve café",
        StandardCharsets.ISO_8859_1)));
    assertThat(latin.text()).contains("naïve café");
  }

  @Test
  void anUnlabelledOrAsciiLabelledUtf8BodyIsReadAsUtf8() {
    ParsedMail mail = parser.parse(new ByteArrayInputStream(bytes(
        "Subject: Grüße\r\n\r\n", "Grüße aus Köln", StandardCharsets.UTF_8)));
    assertThat(mail.text()).contains("Grüße aus Köln");
    assertThat(mail.subject()).isEqualTo("Grüße"); // RFC 6532 raw UTF-8 header
  }

  @Test
  void quotedPrintableAndBase64BodiesAreDecoded() {
    ParsedMail qp = parse("""
        Content-Type: text/plain; charset=utf-8
        Content-Transfer-Encoding: quoted-printable

        caf=C3=A9 and a soft=
         break
        """, StandardCharsets.US_ASCII);
    assertThat(lf(qp.text().orElseThrow())).isEqualTo("café and a soft break\n");
    String encoded = Base64.getMimeEncoder().encodeToString("Zoë 🎉".getBytes(StandardCharsets.UTF_8));
    ParsedMail b64 = parse("Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: base64"
        + "\n\n" + encoded + "\n", StandardCharsets.US_ASCII);
    assertThat(b64.html()).contains("Zoë 🎉");
  }

  @Test
  void brokenEncodedWordsInSubjectAndNamesDoNotStopTheParse() {
    ParsedMail mail = parse("""
        From: "=?utf-8?Q?Ren=C3=A9e?=" <renee@example.net>
        To: =?x-unknown?Q?M=FCller?= <m@example.org>, =?utf-8?B?broken!!?= <b@example.org>
        Subject: =?UTF-8?B?w6k=?= =?UTF-8?B?w6k=?= and =?utf-8?Q?unterminated
        Message-ID: garbage without brackets
        Date: not a date at all

        body
        """, StandardCharsets.US_ASCII);
    assertThat(mail.failed()).isFalse();
    assertThat(mail.subject()).isEqualTo("éé and =?utf-8?Q?unterminated");
    assertThat(mail.from()).contains(new MailAddress("Renée", "renee@example.net"));
    assertThat(mail.to()).extracting(MailAddress::address)
        .containsExactly("m@example.org", "b@example.org");
    assertThat(mail.to().get(0).name()).isEqualTo("Müller");
    assertThat(mail.messageId()).isEmpty();
    assertThat(mail.date()).isEmpty();
    assertThat(mail.text()).contains("body\r\n");
  }

  @Test
  void aMessageWithoutHeadersOrBodyStillParses() {
    assertThat(parser.parse(new ByteArrayInputStream(new byte[0])).failed()).isFalse();
    ParsedMail bare = parse("just some text without any header\n", StandardCharsets.US_ASCII);
    assertThat(bare.subject()).isEmpty();
    assertThat(bare.failed()).isFalse();
  }

  @Test
  void aTextPartWithAFilenameIsAnAttachmentNotTheBody() {
    ParsedMail mail = parse("""
        Content-Type: multipart/mixed; boundary=b

        --b
        Content-Type: text/plain; charset=utf-8
        Content-Disposition: attachment; filename="../../etc/passwd"

        root:x:0:0
        --b
        Content-Type: text/plain; charset=utf-8

        the real body
        --b--
        """, StandardCharsets.US_ASCII);
    assertThat(mail.text()).contains("the real body");
    assertThat(mail.attachments()).singleElement().satisfies(a ->
        assertThat(a.filename()).isEqualTo("etcpasswd"));
  }

  @Test
  void alternativeNestedInRelatedInMixedGivesTheFirstTextAndHtmlAndTheRestAsAttachments() {
    ParsedMail mail = parse("""
        Content-Type: multipart/mixed; boundary=m

        --m
        Content-Type: multipart/related; boundary=r

        --r
        Content-Type: multipart/alternative; boundary=a

        --a
        Content-Type: text/plain; charset=utf-8

        plain one
        --a
        Content-Type: text/html; charset=utf-8

        <p>html one <img src="cid:logo@x"></p>
        --a--
        --r
        Content-Type: image/gif
        Content-ID: <logo@x>

        GIF89a
        --r--
        --m
        Content-Type: text/plain; charset=utf-8

        a second text part
        --m
        Content-Type: text/html; charset=utf-8
        Content-Disposition: inline

        <p>a second html part</p>
        --m--
        """, StandardCharsets.US_ASCII);
    assertThat(mail.failed()).isFalse();
    assertThat(mail.text()).contains("plain one");
    assertThat(mail.html()).contains("<p>html one <img src=\"cid:logo@x\"></p>");
    assertThat(mail.attachments()).extracting(ParsedAttachment::filename, ParsedAttachment::disposition)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("attachment-1.gif", "inline"),
            org.assertj.core.groups.Tuple.tuple("attachment-2.txt", "attachment"),
            org.assertj.core.groups.Tuple.tuple("attachment-3.html", "inline"));
    assertThat(mail.attachments().get(0).contentId()).contains("logo@x");
  }

  private static byte[] bytes(String head, String body, Charset charset) {
    byte[] h = head.getBytes(StandardCharsets.UTF_8);
    byte[] b = body.getBytes(charset);
    byte[] out = new byte[h.length + b.length];
    System.arraycopy(h, 0, out, 0, h.length);
    System.arraycopy(b, 0, out, h.length, b.length);
    return out;
  }
}
