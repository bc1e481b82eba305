package dev.postern.send;

import static dev.postern.send.StreamedPipeline.MAILBOX;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.postern.auth.AuthenticatedKey;
import dev.postern.blob.filesystem.FilesystemBlobStore;
import dev.postern.refusal.Reason;
import dev.postern.refusal.Refusal;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The streamed submission below the database: the header block's caps and rewrite, and the body
 * stored byte for byte (inline or into a real filesystem blob store) whatever the chunking.
 */
@Timeout(60)
class StreamedMessagesTest {

  private static final SmtpEnvelope ENVELOPE = new SmtpEnvelope("bounce@shop.example",
      List.of("alice@example.org", "BOB@example.org", "carol@example.org", "alice@example.org"));
  private static final String BODY = "\r\nHello Alice,\r\n..dot-stuffing is undone by the edge\r\n"
      + "\r\nBcc: not-a-header@example.org\r\nFrom: nor-this@evil.example\r\n\r\nBye\r\n";

  private static Vertx vertx;
  private static Path root;
  private static FilesystemBlobStore blobs;

  @BeforeAll
  static void start() throws IOException {
    vertx = Vertx.vertx();
    root = Files.createTempDirectory("postern-streamed-");
    blobs = FilesystemBlobStore.create(vertx, root).await();
  }

  @AfterAll
  static void stop() {
    blobs.close().await();
    vertx.close().await();
  }

  private static StreamedPipeline.Result run(String message, long inlineLimit, long maxBytes,
      int chunk, AuthenticatedKey key, StreamOptions options) {
    return StreamedPipeline.run(vertx, blobs, inlineLimit, maxBytes,
        message.getBytes(StandardCharsets.UTF_8), i -> chunk, key, ENVELOPE, options);
  }

  private static StreamedPipeline.Result run(String message) {
    return run(message, 256 * 1024, 1 << 20, 7, StreamedPipeline.mailboxKey(), new StreamOptions(false));
  }

  private static Refusal refusal(String message) {
    return refusal(message, StreamedPipeline.mailboxKey(), new StreamOptions(false));
  }

  private static Refusal refusal(String message, AuthenticatedKey key, StreamOptions options) {
    Throwable thrown = catchThrowable(() -> run(message, 256 * 1024, 1 << 20, 5, key, options));
    assertThat(thrown).isInstanceOf(Refusal.class);
    return (Refusal) thrown;
  }

  private static List<Path> files() throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile).toList();
    }
  }

  @Test
  void dropsBccAndActorAddsMessageIdAndDateAndKeepsEverythingElseByteForByte() {
    String kept = "From: Shop <app@shop.example>\r\nTo: Alice <alice@example.org>,\r\n"
        + " \"Smith, Bob\" <bob@example.org>\r\nSubject: =?UTF-8?B?w6l0w6k=?= receipt\r\n"
        + "X-Custom:   spaced\tvalue  \r\n";
    String message = "Bcc: carol@example.org\r\n" + kept + "X-Postern-Actor: jane@shop\r\n" + BODY;

    StreamedPipeline.Result result = run(message);

    String stored = result.text();
    assertThat(stored).startsWith(kept).endsWith(BODY);
    String added = stored.substring(kept.length(), stored.length() - BODY.length());
    assertThat(added).matches("Message-ID: <[0-9a-f-]{36}@shop\\.example>\r\n"
        + "Date: \\w{3}, \\d{1,2} \\w{3} \\d{4} \\d{2}:\\d{2}:\\d{2} \\+0000\r\n");
    assertThat(stored).doesNotContain("carol@").doesNotContain("jane@shop");

    Submission submission = result.parsed().submission();
    assertThat(submission.from().address()).isEqualTo(MAILBOX);
    assertThat(submission.envelopeSender()).isEqualTo("bounce@shop.example");
    assertThat(submission.recipients()).containsExactly(
        new OutboundMessage.Recipient("alice@example.org", "to"),
        new OutboundMessage.Recipient("BOB@example.org", "to"),
        new OutboundMessage.Recipient("carol@example.org", "bcc"));
    Submission.HeaderSummary summary = submission.headers();
    assertThat(summary.to()).containsExactly("Alice <alice@example.org>", "\"Smith, Bob\" <bob@example.org>");
    assertThat(summary.bcc()).containsExactly("carol@example.org");
    assertThat(summary.subject()).isEqualTo("=?UTF-8?B?w6l0w6k=?= receipt");
    assertThat(result.parsed().actor()).hasValue("jane@shop");
    MimeSource.Streamed streamed = (MimeSource.Streamed) submission.mime();
    assertThat(streamed.senderMessageId()).isFalse();
    assertThat(added).contains(streamed.messageId());
  }

  @Test
  void inReplyToAndTheFoldedReferencesAreSummarisedForThreading() {
    StreamedPipeline.Result result = run("From: app@shop.example\r\nTo: alice@example.org\r\n"
        + "In-Reply-To: <p@x.example>\r\nReferences: <r@x.example>\r\n\t<p@x.example>\r\n" + BODY);
    Submission.HeaderSummary summary = result.parsed().submission().headers();
    assertThat(summary.inReplyTo()).hasValue("<p@x.example>");
    assertThat(summary.references()).containsExactly("<r@x.example>", "<p@x.example>");
    assertThat(run("From: app@shop.example\r\nTo: alice@example.org\r\n" + BODY)
        .parsed().submission().headers().references()).isEmpty();
  }

  @Test
  void aMessageWithMessageIdAndDateIsStoredExactlyAsReceivedLessBcc() {
    String head = "Message-ID: <order-1@shop.example>\r\nDate: Sun, 22 Nov 2026 10:00:00 +0000\r\n"
        + "From: app@shop.example\r\nCc: bob@example.org\r\nBCC: x@example.org,\r\n y@example.org\r\n";
    StreamedPipeline.Result result = run(head + BODY);
    assertThat(result.text()).isEqualTo(head.replace("BCC: x@example.org,\r\n y@example.org\r\n", "") + BODY);
    MimeSource.Streamed streamed = (MimeSource.Streamed) result.parsed().submission().mime();
    assertThat(streamed.messageId()).isEqualTo("<order-1@shop.example>");
    assertThat(streamed.senderMessageId()).isTrue();
    assertThat(result.parsed().submission().recipients()).extracting(OutboundMessage.Recipient::kind)
        .containsExactly("bcc", "cc", "bcc");
    assertThat(result.parsed().actor()).isEmpty();
  }

  @Test
  void digestsCoverWhatWasStoredAndWhatWasReceived() {
    String message = "From: app@shop.example\r\nBcc: x@example.org\r\n" + BODY;
    StreamedPipeline.Result result = run(message, 64, 1 << 20, 3, StreamedPipeline.mailboxKey(),
        new StreamOptions(false));
    assertThat(result.stored().blobKey()).isNotNull();
    assertThat(result.stored().size()).isEqualTo(result.bytes().length());
    assertThat(result.stored().sha256()).isEqualTo(StreamedPipeline.sha256(result.bytes().getBytes()));
    assertThat(result.stored().receivedSha256())
        .isEqualTo(StreamedPipeline.sha256(message.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void fromRewriteReplacesFromAndKeepsTheOriginalInReplyTo() {
    String message = "From: Scanner 3F <scan@printer.lan>\r\nTo: alice@example.org\r\n" + BODY;
    StreamedPipeline.Result result = run(message, 1024, 1 << 20, 11, StreamedPipeline.mailboxKey(),
        new StreamOptions(true));
    assertThat(result.text()).startsWith("From: " + MAILBOX + "\r\nTo: alice@example.org\r\n"
        + "Reply-To: Scanner 3F <scan@printer.lan>\r\nMessage-ID: <");
    assertThat(result.parsed().submission().from().address()).isEqualTo(MAILBOX);
    assertThat(result.parsed().submission().headers().replyTo()).containsExactly("Scanner 3F <scan@printer.lan>");

    String withReplyTo = "Reply-To: desk@shop.example\r\nFrom: scan@printer.lan\r\n" + BODY;
    assertThat(run(withReplyTo, 1024, 1 << 20, 11, StreamedPipeline.mailboxKey(), new StreamOptions(true))
        .text()).startsWith("Reply-To: desk@shop.example\r\nFrom: " + MAILBOX + "\r\nMessage-ID: <")
        .doesNotContain("printer.lan");

    // A printer that writes no usable From at all still gets one.
    assertThat(run("Subject: scan\r\n" + BODY, 1024, 1 << 20, 11, StreamedPipeline.mailboxKey(),
        new StreamOptions(true)).text()).startsWith("Subject: scan\r\nFrom: " + MAILBOX + "\r\n");

    // A domain-bound key has no mailbox to rewrite to: From stays and is checked as usual.
    StreamedPipeline.Result domain = run(message, 1024, 1 << 20, 11, StreamedPipeline.domainKey(),
        new StreamOptions(true));
    assertThat(domain.text()).startsWith("From: Scanner 3F <scan@printer.lan>\r\n");
    assertThat(domain.parsed().submission().from().address()).isEqualTo("scan@printer.lan");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", "\r\n" + "body\r\n", "Subject: no from\r\n\r\nbody\r\n",
      "From: a@shop.example, b@shop.example\r\n\r\n",
      "From: a@shop.example\r\nFrom: b@shop.example\r\n\r\n",
      "From: undisclosed\r\n\r\n",
      "From: a@shop.example\r\nMessage-ID: <a b@c>\r\n\r\n",
      "From: a@shop.example\r\nMessage-ID: <a@c>\r\nMessage-ID: <b@c>\r\n\r\n",
      " folded: first\r\nFrom: a@shop.example\r\n\r\n",
      "From a@shop.example Sun Nov 22 10:00:00 2026\r\nFrom: a@shop.example\r\n\r\n",
      "From: a@shop.example\r\nX-Bare: lf\nTo: b@example.org\r\n\r\n",
      "From: a@shop.example\r\nX-Bare: cr\rTo: b@example.org\r\n\r\n",
      "From: a@shop.example\r\nX-Nul: \u0000\r\n\r\n",
      "From: a@shop.example\r\nX-Unterminated: yes"})
  void malformedHeaderBlocksAreInvalid(String message) {
    assertThat(refusal(message).reason()).as(message).isEqualTo(Reason.INVALID);
  }

  @Test
  void headerLinesMayBe998OctetsButNotMore() {
    String at998 = "X-Long: " + "a".repeat(998 - 8) + "\r\n";
    assertThat(run("From: a@shop.example\r\n" + at998 + BODY).text()).contains(at998);
    Refusal refused = refusal("From: a@shop.example\r\nX-Long: " + "a".repeat(998 - 7) + "\r\n" + BODY);
    assertThat(refused.reason()).isEqualTo(Reason.INVALID);
    assertThat(refused.getMessage()).contains("998");
  }

  @Test
  void headerBlocksOverOurCapsAreTooLarge() {
    String line = "X-Filler: " + "f".repeat(88) + "\r\n"; // 100 octets
    Refusal bytes = refusal("From: a@shop.example\r\n" + line.repeat(700) + BODY);
    assertThat(bytes.reason()).isEqualTo(Reason.TOO_LARGE);
    assertThat(bytes.getMessage()).contains("header block");

    Refusal fields = refusal("From: a@shop.example\r\n" + "X: y\r\n".repeat(1000) + BODY);
    assertThat(fields.reason()).isEqualTo(Reason.TOO_LARGE);
    assertThat(fields.getMessage()).contains("1000 fields");
    assertThat(run("From: a@shop.example\r\n" + "X: y\r\n".repeat(999) + BODY).text())
        .endsWith(BODY);
  }

  @Test
  void aMessageWithoutBodyIsAllHeader() {
    StreamedPipeline.Result result = run("From: a@shop.example\r\nSubject: only\r\n");
    assertThat(result.text()).startsWith("From: a@shop.example\r\nSubject: only\r\nMessage-ID: <")
        .endsWith("+0000\r\n");
  }

  @Test
  void overTheSizeCapMidStreamIsTooLargeAndLeavesNoBlob() throws IOException {
    List<Path> before = files();
    String message = "From: a@shop.example\r\n" + BODY + "x".repeat(200_000) + "\r\n";
    Throwable thrown = catchThrowable(() -> run(message, 1024, 100_000, 4096,
        StreamedPipeline.mailboxKey(), new StreamOptions(false)));
    assertThat(thrown).isInstanceOf(Refusal.class);
    assertThat(((Refusal) thrown).reason()).isEqualTo(Reason.TOO_LARGE);
    assertThat(files()).isEqualTo(before);
  }

  @Test
  void aSenderGoneMidStreamFailsAndLeavesNoBlob() throws IOException {
    List<Path> before = files();
    byte[] message = ("From: a@shop.example\r\n" + BODY + "x".repeat(300_000) + "\r\n")
        .getBytes(StandardCharsets.UTF_8);
    io.vertx.core.Context context = vertx.getOrCreateContext();
    io.vertx.core.Promise<Object> done = io.vertx.core.Promise.promise();
    context.runOnContext(v -> {
      ReceivedMessageStream received = new ReceivedMessageStream(
          DataSource.failingAfter(context, message, 8192, 200_000), 1 << 20);
      HeaderBlockReader.read(received).compose(block -> StreamedMimeStore.store(blobs, 1024,
          () -> "out/test/gone.eml", (MimeSource.Streamed) StreamedMessages.parse(
              StreamedPipeline.mailboxKey(), ENVELOPE, new StreamOptions(false), block, received,
              StreamedPipeline.sha256(), java.time.Clock.systemUTC()).submission().mime()))
          .<Object>map(s -> s).onComplete(done);
    });
    Throwable thrown = catchThrowable(() -> StreamedPipeline.await(done.future()));
    assertThat(thrown).isInstanceOf(IllegalStateException.class).cause()
        .isInstanceOf(IOException.class).hasMessage("client went away");
    assertThat(files()).isEqualTo(before);
    assertThat(blobs.exists("out/test/gone.eml").await()).isFalse();
  }
}
