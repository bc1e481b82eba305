package dev.postern.smtp.session;

import static dev.postern.smtp.session.SessionFixture.GOOD_KEY;
import static dev.postern.smtp.session.SessionFixture.await;
import static dev.postern.smtp.session.SessionFixture.plain;
import static dev.postern.smtp.session.SessionFixture.send;
import static dev.postern.smtp.session.SessionFixture.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.ratelimit.Decision;
import dev.postern.refusal.Reason;
import dev.postern.refusal.Refusal;
import dev.postern.smtp.session.SessionReply.Next;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The protocol and the mail transaction, without sockets (implicit TLS, authenticated). */
class SmtpSessionTest {

  private static Vertx vertx;
  private final SessionFixture fx = new SessionFixture();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    await(vertx.close());
  }

  /** Implicit TLS, EHLO'd and authenticated as bot@example.com. */
  private SmtpSession ready() {
    SmtpSession s = fx.session(vertx, new SubmissionPolicy(false), true);
    assertThat(text(send(s, "EHLO client.example"))).startsWith("250 mx.test|");
    assertThat(text(send(s, "AUTH PLAIN " + plain("postern", GOOD_KEY)))).isEqualTo("235 2.7.0 Authentication successful");
    return s;
  }

  private SmtpSession inData(String... recipients) {
    SmtpSession s = ready();
    assertThat(text(send(s, "MAIL FROM:<bot@example.com>"))).startsWith("250 2.1.0");
    for (String r : recipients) {
      assertThat(text(send(s, "RCPT TO:<" + r + ">"))).startsWith("250 2.1.5");
    }
    SessionReply go = send(s, "DATA");
    assertThat(go.response().code()).isEqualTo(354);
    assertThat(go.next()).isEqualTo(Next.DATA);
    return s;
  }

  @Test
  void aMessageIsQueuedOnlyAfterTheSinkCommitsAndIsAudited() {
    SmtpSession s = ready();
    assertThat(text(send(s, "MAIL FROM:<bot@example.com> SIZE=100 BODY=8BITMIME SMTPUTF8"))).startsWith("250 2.1.0");
    assertThat(text(send(s, "RCPT TO:<a@dest.example>"))).startsWith("250 2.1.5");
    assertThat(text(send(s, "RCPT TO:<A@dest.example>"))).as("duplicate: accepted once").startsWith("250 2.1.5");
    assertThat(send(s, "DATA").next()).isEqualTo(Next.DATA);
    assertThat(s.data(Buffer.buffer("Subject: hi\r\n\r\nbody\r\n"))).isTrue();
    assertThat(fx.sink.committed).as("nothing commits before the dot").isEmpty();
    SessionReply done = await(s.dataEnd());
    assertThat(text(done)).matches("250 2\\.0\\.0 Ok: queued as [0-9a-f-]{36}");
    assertThat(done.next()).isEqualTo(Next.COMMANDS);
    assertThat(fx.sink.committed).hasSize(1);
    SessionFixture.Received got = fx.sink.last();
    assertThat(got.envelope).isEqualTo(new Envelope("bot@example.com", java.util.List.of("a@dest.example")));
    assertThat(got.data.toString()).isEqualTo("Subject: hi\r\n\r\nbody\r\n");
    assertThat(got.options.rewriteFromToMailbox()).isFalse();
    assertThat(fx.audit).containsExactly("DATA 250 " + fx.bot.id());
    // The transaction is over: a new one starts at MAIL.
    assertThat(text(send(s, "RCPT TO:<a@dest.example>"))).startsWith("503 5.5.1");
    assertThat(text(send(s, "MAIL FROM:<bot@example.com>"))).startsWith("250 2.1.0");
  }

  @Test
  void ehloAdvertisesTheExtensions() {
    SmtpSession s = fx.session(vertx, new SubmissionPolicy(false), true);
    assertThat(text(send(s, "EHLO client.example"))).isEqualTo("250 mx.test|PIPELINING|SIZE 10000|8BITMIME"
        + "|ENHANCEDSTATUSCODES|SMTPUTF8|AUTH PLAIN LOGIN");
    assertThat(text(send(s, "HELO client.example"))).isEqualTo("250 mx.test");
    assertThat(text(send(s, "EHLO"))).startsWith("501 5.5.4");
  }

  @Test
  void sizeDeclaredOverTheLimitIsRefusedAtMail() {
    SmtpSession s = ready();
    assertThat(text(send(s, "MAIL FROM:<bot@example.com> SIZE=10001"))).startsWith("552 5.3.4");
    assertThat(text(send(s, "MAIL FROM:<bot@example.com> SIZE=99999999999999999999999"))).startsWith("501 5.5.4");
    assertThat(text(send(s, "MAIL FROM:<bot@example.com> SIZE=abc"))).startsWith("501 5.5.4");
    assertThat(text(send(s, "MAIL FROM:<bot@example.com> BODY=BINARYMIME"))).startsWith("501 5.5.4");
    assertThat(text(send(s, "MAIL FROM:<bot@example.com> XFORWARD=1"))).startsWith("501 5.5.4");
    assertThat(text(send(s, "MAIL FROM:<bot@example.com> SIZE=1 SIZE=2"))).startsWith("501 5.5.4");
    assertThat(text(send(s, "MAIL FROM:<bot@example.com> SIZE=10000"))).startsWith("250 2.1.0");
  }

  @Test
  void dataOverTheLimitFailsTheStreamAndIsRefusedAfterTheDot() {
    SmtpSession s = inData("a@dest.example");
    assertThat(s.data(Buffer.buffer(new byte[6000]))).isTrue();
    assertThat(s.data(Buffer.buffer(new byte[6000]))).as("over: discarded, keep reading").isTrue();
    assertThat(s.data(Buffer.buffer(new byte[6000]))).isTrue();
    SessionFixture.Received got = fx.sink.last();
    assertThat(got.streamFailure).isInstanceOfSatisfying(Refusal.class,
        r -> assertThat(r.reason()).isEqualTo(Reason.TOO_LARGE));
    assertThat(text(await(s.dataEnd()))).startsWith("552 5.3.4");
    assertThat(fx.sink.committed).isEmpty();
    assertThat(text(send(s, "MAIL FROM:<bot@example.com>"))).as("the session goes on").startsWith("250");
  }

  @Test
  void aSinkThatRefusesEarlyIsAnsweredAfterTheDotWithTheQuotaLimit() {
    SmtpSession t = ready();
    fx.sink.failAtOnce = Refusal.quota(new Decision(false, 1000, 0, 0), "hourly quota spent", 120);
    send(t, "MAIL FROM:<bot@example.com>");
    send(t, "RCPT TO:<a@dest.example>");
    assertThat(send(t, "DATA").next()).isEqualTo(Next.DATA);
    assertThat(t.data(Buffer.buffer(new byte[5000]))).isTrue();
    assertThat(text(await(t.dataEnd()))).startsWith("451 4.7.1").contains("1000 messages").contains("120 s");
    assertThat(fx.audit).containsExactly("DATA 451 " + fx.bot.id());
  }

  @Test
  void sinkRefusalsBecomeTheirRepliesInOnePlace() {
    record Case(Refusal refusal, String reply) {}
    for (Case c : new Case[] {
        new Case(Refusal.of(Reason.STORAGE_UNAVAILABLE, "object store down"), "451 4.3.0"),
        new Case(Refusal.of(Reason.UNAVAILABLE, "db down"), "451 4.3.0"),
        new Case(Refusal.of(Reason.SENDER_NOT_ALLOWED, "from must be bot@example.com"), "550 5.7.1"),
        new Case(Refusal.of(Reason.TOO_LARGE, "big"), "552 5.3.4"),
        new Case(Refusal.invalid("headers", "no From\r\nX: y"), "501 5.5.4")}) {
      fx.sink.failAtOnce = c.refusal();
      SmtpSession s = ready();
      send(s, "MAIL FROM:<bot@example.com>");
      send(s, "RCPT TO:<a@dest.example>");
      send(s, "DATA");
      String reply = text(await(s.dataEnd()));
      assertThat(reply).startsWith(c.reply()).doesNotContain("\r").doesNotContain("\n");
    }
  }

  @Test
  void aSlowSinkPausesTheSocketAndResumesIt() {
    fx.sink.startPaused = true;
    SmtpSession s = inData("a@dest.example");
    assertThat(s.data(Buffer.buffer(new byte[600]))).isTrue();
    assertThat(s.data(Buffer.buffer(new byte[600]))).as("1200 ≥ 1024 buffered: pause").isFalse();
    AtomicInteger resumed = new AtomicInteger();
    s.onDataDrain(resumed::incrementAndGet);
    assertThat(resumed).hasValue(0);
    fx.sink.last().stream.resume();
    assertThat(resumed).hasValue(1);
    assertThat(text(await(s.dataEnd()))).startsWith("250 2.0.0");
    assertThat(fx.sink.last().data.length()).isEqualTo(1200);
  }

  @Test
  void aConnectionLostDuringDataCommitsNothing() {
    SmtpSession s = inData("a@dest.example");
    s.data(Buffer.buffer("Subject: half"));
    s.closed();
    assertThat(fx.sink.last().streamFailure).isNotNull();
    assertThat(fx.sink.last().result.future().failed()).isTrue();
    assertThat(fx.sink.committed).isEmpty();
  }

  @Test
  void protocolViolations() {
    SmtpSession s = inData("a@dest.example");
    s.data(Buffer.buffer("x"));
    SessionReply bare = s.violation(ProtocolViolation.BARE_NEWLINE);
    assertThat(text(bare)).startsWith("521 5.5.2");
    assertThat(bare.next()).isEqualTo(Next.CLOSE);
    assertThat(fx.sink.committed).isEmpty();
    assertThat(fx.sink.last().streamFailure).isNotNull();

    SmtpSession t = inData("a@dest.example");
    SessionReply deferred = t.violation(ProtocolViolation.TEXT_LINE_TOO_LONG);
    assertThat(deferred.next()).as("deferred until the dot").isEqualTo(Next.DATA);
    assertThat(t.data(Buffer.buffer("more"))).isTrue();
    assertThat(text(await(t.dataEnd()))).startsWith("500 5.5.6");
    assertThat(fx.sink.committed).isEmpty();
    assertThat(text(t.violation(ProtocolViolation.COMMAND_TOO_LONG))).startsWith("500 5.5.2");
    assertThat(t.violation(ProtocolViolation.NOT_SMTP).next()).isEqualTo(Next.CLOSE);
    assertThat(t.violation(ProtocolViolation.TALKED_BEFORE_GREETING).next()).isEqualTo(Next.CLOSE);
  }

  @Test
  void recipientsOverTheLimitGet452OneByOneAndTheOthersGoThrough() {
    SmtpSession s = ready();
    send(s, "MAIL FROM:<bot@example.com>");
    for (int i = 0; i < 100; i++) {
      assertThat(text(send(s, "RCPT TO:<r" + i + "@dest.example>"))).startsWith("250");
    }
    assertThat(text(send(s, "RCPT TO:<r100@dest.example>"))).startsWith("452 4.5.3");
    assertThat(text(send(s, "RCPT TO:<r101@dest.example>"))).startsWith("452 4.5.3");
    send(s, "DATA");
    s.data(Buffer.buffer("x\r\n"));
    assertThat(text(await(s.dataEnd()))).startsWith("250");
    assertThat(fx.sink.last().envelope.recipients()).hasSize(100);
  }

  @Test
  void pathsSourceRoutesAndAddresses() {
    SmtpSession s = ready();
    String local = "a".repeat(64);
    String longDomain = ("d".repeat(60) + ".").repeat(4) + "example";
    assertThat(text(send(s, "MAIL FROM:<" + local + "@" + longDomain + ">"))).startsWith("501 5.1.7");
    assertThat(text(send(s, "MAIL FROM:<not-an-address>"))).startsWith("553 5.1.7");
    assertThat(text(send(s, "MAIL TO:<bot@example.com>"))).startsWith("501 5.5.4");
    assertThat(text(send(s, "MAIL FROM: <bot@example.com>"))).as("a space after the colon is tolerated").startsWith("250");
    assertThat(text(send(s, "RCPT TO:<" + local + "@" + longDomain + ">"))).startsWith("501 5.1.3");
    assertThat(text(send(s, "RCPT TO:<a@b>"))).startsWith("553 5.1.3");
    assertThat(text(send(s, "RCPT TO:<>"))).startsWith("553 5.1.3");
    assertThat(text(send(s, "RCPT TO:<x@y.example> NOTIFY=NEVER"))).startsWith("501 5.5.4");
    assertThat(text(send(s, "RCPT TO:<@a.example,@b.example:x@y.example>"))).startsWith("250");
    assertThat(text(send(s, "RCPT TO:<@a.example x@y.example>"))).startsWith("553 5.1.3");
    send(s, "DATA");
    await(s.dataEnd());
    assertThat(fx.sink.last().envelope.recipients()).as("the route is ignored").containsExactly("x@y.example");
  }

  @Test
  void sequenceAndHousekeepingCommands() {
    SmtpSession s = fx.session(vertx, new SubmissionPolicy(false), true);
    assertThat(text(send(s, "MAIL FROM:<bot@example.com>"))).as("before EHLO").startsWith("503 5.5.1");
    send(s, "EHLO c.example");
    send(s, "AUTH PLAIN " + plain("postern", GOOD_KEY));
    assertThat(text(send(s, "DATA"))).startsWith("503 5.5.1");
    send(s, "MAIL FROM:<bot@example.com>");
    assertThat(text(send(s, "MAIL FROM:<bot@example.com>"))).as("nested").startsWith("503 5.5.1");
    assertThat(text(send(s, "DATA"))).as("no RCPT").startsWith("503 5.5.1");
    assertThat(text(send(s, "RSET"))).isEqualTo("250 2.0.0 Ok");
    assertThat(text(send(s, "RCPT TO:<a@dest.example>"))).as("RSET ended the transaction").startsWith("503 5.5.1");
    assertThat(text(send(s, "RSET now"))).startsWith("501 5.5.4");
    assertThat(text(send(s, "NOOP"))).isEqualTo("250 2.0.0 Ok");
    assertThat(text(send(s, "VRFY bot"))).startsWith("252 2.5.0");
    assertThat(text(send(s, "HELP"))).startsWith("214 2.0.0");
    assertThat(text(send(s, "EXPN list"))).startsWith("502 5.5.1");
    assertThat(text(send(s, "BDAT 10"))).startsWith("500 5.5.2");
    assertThat(text(await(s.dataEnd()))).as("a dot without DATA").startsWith("503 5.5.1");
    assertThat(text(s.idleTimeout())).startsWith("421 4.4.2");
    assertThat(s.shuttingDown().next()).isEqualTo(Next.CLOSE);
    assertThat(text(s.shuttingDown())).startsWith("421 4.3.2");
    SessionReply quit = send(s, "QUIT");
    assertThat(text(quit)).isEqualTo("221 2.0.0 Bye");
    assertThat(quit.next()).isEqualTo(Next.CLOSE);
  }

  @Test
  void aSpentQuotaIsRefusedAtMail() {
    fx.quotas = key -> Future.succeededFuture(new Decision(false, 50, 0, 4_102_444_800L));
    SmtpSession s = ready();
    assertThat(text(send(s, "MAIL FROM:<bot@example.com>"))).startsWith("451 4.7.1").contains("50 messages");
    assertThat(fx.audit).containsExactly("MAIL 451 " + fx.bot.id());
    fx.quotas = key -> Future.failedFuture(new IllegalStateException("redis hiccup"));
    SmtpSession t = ready();
    assertThat(text(send(t, "MAIL FROM:<bot@example.com>"))).as("advisory: the sink decides").startsWith("250");
  }
}
