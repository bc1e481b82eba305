package dev.postern.smtp.session;

import static dev.postern.smtp.session.SessionFixture.await;
import static dev.postern.smtp.session.SessionFixture.plain;
import static dev.postern.smtp.session.SessionFixture.send;
import static dev.postern.smtp.session.SessionFixture.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.refusal.Reason;
import dev.postern.refusal.Refusal;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.net.ConnectException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The MX listener's rules without sockets: a session with {@link MxPolicy} over an in-memory
 * recipient table (a stand-in for the resolver port, not for a real service). No AUTH ever,
 * STARTTLS offered, MAIL without a key (the null sender too), each RCPT answered from the check's
 * refusal through the one reply table, and DATA handed to the sink with no key and the trace facts.
 */
class MxPolicyTest {

  private static final Map<String, Reason> REFUSED = Map.of(
      "nobody@hosted.example", Reason.RECIPIENT_UNKNOWN,
      "someone@foreign.example", Reason.RELAY_DENIED,
      "full@hosted.example", Reason.MAILBOX_FULL);

  private static Vertx vertx;
  private final SessionFixture fixture = new SessionFixture();
  private final RecipientCheck recipients = recipient -> {
    if (recipient.equals("dbdown@hosted.example")) {
      return Future.failedFuture(new ConnectException("Connection refused"));
    }
    Reason reason = REFUSED.get(recipient);
    return reason == null ? Future.succeededFuture() : Future.failedFuture(Refusal.of(reason, "no"));
  };

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  private SmtpSession greeted() {
    SmtpSession session = fixture.session(vertx, new MxPolicy(recipients), false);
    assertThat(text(send(session, "EHLO relay.example"))).startsWith("250 ");
    return session;
  }

  @Test
  void ehloOffersStartTlsAndNeverAuth() {
    SmtpSession session = fixture.session(vertx, new MxPolicy(recipients), false);
    String ehlo = text(send(session, "EHLO relay.example"));
    assertThat(ehlo).contains("STARTTLS").contains("SIZE 10000").contains("PIPELINING")
        .doesNotContain("AUTH");
  }

  @Test
  void authIsRefusedAsNotAvailableWithOrWithoutTls() {
    SmtpSession session = greeted();
    assertThat(text(send(session, "AUTH PLAIN " + plain("postern", SessionFixture.GOOD_KEY))))
        .startsWith("502 5.5.1");
    session.tlsStarted();
    send(session, "EHLO relay.example");
    assertThat(text(send(session, "AUTH PLAIN " + plain("postern", SessionFixture.GOOD_KEY))))
        .startsWith("502 5.5.1");
  }

  @Test
  void mailNeedsNoKeyAndTakesTheNullSenderOfBounces() {
    SmtpSession session = greeted();
    assertThat(text(send(session, "MAIL FROM:<>"))).startsWith("250 2.1.0");
    assertThat(text(send(session, "RSET"))).startsWith("250");
    assertThat(text(send(session, "MAIL FROM:<anyone@anywhere.example>"))).startsWith("250 2.1.0");
  }

  @Test
  void eachRecipientIsAnsweredFromTheCheckThroughTheReplyTable() {
    SmtpSession session = greeted();
    send(session, "MAIL FROM:<sender@elsewhere.example>");
    assertThat(text(send(session, "RCPT TO:<bot@hosted.example>"))).startsWith("250 2.1.5");
    assertThat(text(send(session, "RCPT TO:<nobody@hosted.example>"))).startsWith("550 5.1.1");
    assertThat(text(send(session, "RCPT TO:<someone@foreign.example>"))).startsWith("554 5.7.1");
    assertThat(text(send(session, "RCPT TO:<full@hosted.example>"))).startsWith("452 4.2.2");
    assertThat(text(send(session, "RCPT TO:<dbdown@hosted.example>"))).startsWith("451 4.3.0");
  }

  @Test
  void onlyAcceptedRecipientsReachTheSinkWithNoKeyAndTheTraceFacts() {
    SmtpSession session = greeted();
    send(session, "MAIL FROM:<>");
    send(session, "RCPT TO:<bot@hosted.example>");
    send(session, "RCPT TO:<someone@foreign.example>");
    send(session, "RCPT TO:<Other@Hosted.example>");
    assertThat(text(send(session, "DATA"))).startsWith("354");
    session.data(Buffer.buffer("Subject: hi\r\n\r\nbody\r\n"));
    assertThat(text(await(session.dataEnd()))).startsWith("250 2.0.0 Ok: queued as ");

    SessionFixture.Received received = fixture.sink.last();
    assertThat(received.envelope).isEqualTo(new Envelope("",
        List.of("bot@hosted.example", "Other@hosted.example")));
    assertThat(received.options.helo()).isEqualTo("relay.example");
    assertThat(received.options.esmtp()).isTrue();
    assertThat(received.options.tls()).isFalse();
    assertThat(received.options.client()).isEqualTo(fixture.client);
    assertThat(received.data.toString()).isEqualTo("Subject: hi\r\n\r\nbody\r\n");
    assertThat(fixture.audit).as("no key, nothing to audit against").isEmpty();
  }
}
