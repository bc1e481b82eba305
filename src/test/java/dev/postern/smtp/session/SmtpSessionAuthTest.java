package dev.postern.smtp.session;

import static dev.postern.smtp.session.SessionFixture.DB_DOWN_KEY;
import static dev.postern.smtp.session.SessionFixture.GOOD_KEY;
import static dev.postern.smtp.session.SessionFixture.NO_SCOPE_KEY;
import static dev.postern.smtp.session.SessionFixture.await;
import static dev.postern.smtp.session.SessionFixture.plain;
import static dev.postern.smtp.session.SessionFixture.send;
import static dev.postern.smtp.session.SessionFixture.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.smtp.session.SessionReply.Next;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** STARTTLS, AUTH and the listener policies (submission, LAN shim). */
class SmtpSessionAuthTest {

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

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private SmtpSession tlsSession() {
    SmtpSession s = fx.session(vertx, new SubmissionPolicy(false), true);
    send(s, "EHLO c.example");
    return s;
  }

  @Test
  void submissionNeedsTlsBeforeAuthAndAuthBeforeMail() {
    SmtpSession s = fx.session(vertx, new SubmissionPolicy(true), false);
    assertThat(text(send(s, "EHLO c.example"))).contains("|STARTTLS").doesNotContain("AUTH");
    assertThat(text(send(s, "AUTH PLAIN " + plain("postern", GOOD_KEY)))).startsWith("530 5.7.0");
    assertThat(text(send(s, "MAIL FROM:<bot@example.com>"))).startsWith("530 5.7.0");
    SessionReply ready = send(s, "STARTTLS");
    assertThat(text(ready)).startsWith("220 2.0.0");
    assertThat(ready.next()).isEqualTo(Next.START_TLS);
    s.tlsStarted();
    assertThat(text(send(s, "MAIL FROM:<bot@example.com>"))).as("a new EHLO is needed").startsWith("503 5.5.1");
    assertThat(text(send(s, "EHLO c.example"))).contains("AUTH PLAIN LOGIN").doesNotContain("STARTTLS");
    assertThat(text(send(s, "STARTTLS"))).startsWith("503 5.5.1");
    assertThat(text(send(s, "MAIL FROM:<bot@example.com>"))).isEqualTo("530 5.7.0 Authentication required");
    assertThat(text(send(s, "AUTH PLAIN " + plain("postern", GOOD_KEY)))).startsWith("235 2.7.0");
    assertThat(text(send(s, "AUTH PLAIN " + plain("postern", GOOD_KEY)))).as("second AUTH").startsWith("503 5.5.1");
    assertThat(text(send(s, "MAIL FROM:<bot@example.com>"))).startsWith("250");
  }

  @Test
  void theImplicitTlsPortOffersNoStartTls() {
    SmtpSession s = tlsSession();
    assertThat(text(send(s, "STARTTLS"))).startsWith("503 5.5.1");
    SmtpSession plainPort = fx.session(vertx, new SubmissionPolicy(false), false);
    send(plainPort, "EHLO c.example");
    assertThat(text(send(plainPort, "STARTTLS"))).startsWith("502 5.5.1");
  }

  @Test
  void plainWithAContinuationAndLoginInTwoSteps() {
    SmtpSession s = tlsSession();
    SessionReply prompt = send(s, "AUTH PLAIN");
    assertThat(text(prompt)).isEqualTo("334 ");
    assertThat(prompt.next()).isEqualTo(Next.AUTH_LINE);
    assertThat(text(await(s.authLine(plain("centerleap", GOOD_KEY))))).startsWith("235");

    SmtpSession t = tlsSession();
    SessionReply user = send(t, "AUTH LOGIN");
    assertThat(text(user)).isEqualTo("334 " + b64("Username:"));
    SessionReply pass = await(t.authLine(b64("postern")));
    assertThat(text(pass)).isEqualTo("334 " + b64("Password:"));
    assertThat(pass.next()).isEqualTo(Next.AUTH_LINE);
    assertThat(text(await(t.authLine(b64(GOOD_KEY))))).startsWith("235");

    SmtpSession u = tlsSession();
    assertThat(text(send(u, "AUTH LOGIN " + b64("postern")))).isEqualTo("334 " + b64("Password:"));
    assertThat(text(await(u.authLine(b64(GOOD_KEY))))).startsWith("235");
  }

  @Test
  void cancelledMalformedAndUnknownExchanges() {
    SmtpSession s = tlsSession();
    send(s, "AUTH PLAIN");
    assertThat(text(await(s.authLine("*")))).isEqualTo("501 5.0.0 Authentication cancelled");
    assertThat(text(send(s, "AUTH PLAIN not*base64"))).startsWith("501 5.5.2");
    assertThat(text(send(s, "AUTH PLAIN " + b64("only-one\0nul")))).startsWith("501 5.5.2");
    assertThat(text(send(s, "AUTH PLAIN " + b64("\0\0" + GOOD_KEY)))).as("empty authcid").startsWith("501 5.5.2");
    send(s, "AUTH LOGIN");
    assertThat(text(await(s.authLine("%%%")))).startsWith("501 5.5.2");
    assertThat(text(send(s, "AUTH CRAM-MD5"))).startsWith("504 5.5.4");
    assertThat(text(send(s, "AUTH"))).startsWith("501 5.5.4");
    assertThat(text(send(s, "AUTH PLAIN " + "A".repeat(10_000)))).startsWith("501 5.5.2");
    send(s, "AUTH PLAIN");
    assertThat(text(s.violation(ProtocolViolation.AUTH_LINE_TOO_LONG))).startsWith("500 5.5.6");
    assertThat(fx.throttle.failures(fx.client.getAddress())).as("malformed is not a failed password").isZero();
    assertThat(text(send(s, "AUTH PLAIN " + plain("postern", GOOD_KEY)))).startsWith("235");
  }

  @Test
  void failuresAreSlowedPerAddressAndTheThirdClosesTheConnection() {
    SmtpSession s = tlsSession();
    long t0 = System.nanoTime();
    assertThat(text(send(s, "AUTH PLAIN " + plain("postern", "pst_live_wrong")))).isEqualTo("535 5.7.8 Authentication credentials invalid");
    long first = System.nanoTime() - t0;
    long t1 = System.nanoTime();
    assertThat(text(send(s, "AUTH PLAIN " + plain("postern", "pst_live_wrong")))).startsWith("535 5.7.8");
    long second = System.nanoTime() - t1;
    assertThat(first).as("first failure ≥ 20 ms").isGreaterThanOrEqualTo(20_000_000L);
    assertThat(second).as("second failure ≥ 40 ms").isGreaterThanOrEqualTo(40_000_000L);
    SessionReply third = send(s, "AUTH PLAIN " + plain("postern", "pst_live_wrong"));
    assertThat(text(third)).startsWith("421 4.7.0");
    assertThat(third.next()).isEqualTo(Next.CLOSE);
    // Another connection from the same address starts where this one stopped.
    assertThat(fx.throttle.failures(fx.client.getAddress())).isEqualTo(3);
    assertThat(fx.throttle.delayFor(4).toMillis()).isEqualTo(160);
    assertThat(fx.throttle.delayFor(30).toMillis()).isEqualTo(400);
  }

  @Test
  void theDatabaseDownIsTemporaryAndNotAFailedPassword() {
    SmtpSession s = tlsSession();
    assertThat(text(send(s, "AUTH PLAIN " + plain("postern", DB_DOWN_KEY)))).startsWith("451 4.3.0");
    assertThat(fx.throttle.failures(fx.client.getAddress())).isZero();
  }

  @Test
  void aKeyWithoutSendScopeAuthenticatesAndIsRefusedAtMail() {
    SmtpSession s = tlsSession();
    assertThat(text(send(s, "AUTH PLAIN " + plain("postern", NO_SCOPE_KEY)))).startsWith("235");
    assertThat(text(send(s, "MAIL FROM:<bot@example.com>"))).startsWith("550 5.7.1").contains("emails:send");
    assertThat(fx.audit).containsExactly("MAIL 550 " + fx.noScope.id());
  }

  @Test
  void theSenderMustBeInsideTheKeysBindingAndNotNull() {
    SmtpSession s = tlsSession();
    send(s, "AUTH PLAIN " + plain("postern", GOOD_KEY));
    assertThat(text(send(s, "MAIL FROM:<other@example.com>"))).startsWith("550 5.7.1").contains("bot@example.com");
    assertThat(text(send(s, "MAIL FROM:<bot@elsewhere.example>"))).startsWith("550 5.7.1");
    assertThat(text(send(s, "MAIL FROM:<>"))).startsWith("550 5.7.1");
    assertThat(text(send(s, "MAIL FROM:<BOT@Example.COM>"))).startsWith("250");
  }

  private LanShimPolicy lan(UUID keyId, boolean rewrite) {
    CidrMap<UUID> networks = CidrMap.parse(Map.of("192.0.2.0/28", keyId.toString())).mapValues(UUID::fromString);
    return new LanShimPolicy(networks, fx.keys, rewrite);
  }

  @Test
  void aMappedDeviceIsAuthenticatedAtConnectAndItsSenderRewritten() {
    UUID id = UUID.randomUUID();
    fx.byId.put(id, fx.bot);
    SmtpSession s = fx.session(vertx, lan(id, true), false);
    assertThat(text(send(s, "EHLO scanner"))).doesNotContain("AUTH").doesNotContain("STARTTLS");
    assertThat(text(send(s, "AUTH PLAIN " + plain("postern", GOOD_KEY)))).startsWith("503 5.5.1");
    assertThat(text(send(s, "MAIL FROM:<scan@printer.example>"))).startsWith("250");
    send(s, "RCPT TO:<office@dest.example>");
    send(s, "DATA");
    s.data(Buffer.buffer("Subject: scan\r\n\r\n"));
    assertThat(text(await(s.dataEnd()))).startsWith("250 2.0.0");
    assertThat(fx.sink.last().envelope.mailFrom()).isEqualTo("bot@example.com");
    assertThat(fx.sink.last().options.rewriteFromToMailbox()).isTrue();
  }

  @Test
  void withoutRewriteAMappedDeviceKeepsTheBindingCheck() {
    UUID id = UUID.randomUUID();
    fx.byId.put(id, fx.bot);
    SmtpSession s = fx.session(vertx, lan(id, false), false);
    send(s, "EHLO scanner");
    assertThat(text(send(s, "MAIL FROM:<scan@printer.example>"))).startsWith("550 5.7.1");
  }

  @Test
  void anUnmappedLanClientMustAuthAndMayDoSoWithoutTls() {
    UUID id = UUID.randomUUID();
    fx.byId.put(id, fx.bot);
    fx.client = new InetSocketAddress("192.0.2.77", 40000);
    SmtpSession s = fx.session(vertx, lan(id, true), false);
    assertThat(text(send(s, "EHLO laptop"))).contains("AUTH PLAIN LOGIN").doesNotContain("STARTTLS");
    assertThat(text(send(s, "MAIL FROM:<bot@example.com>"))).isEqualTo("530 5.7.0 Authentication required");
    assertThat(text(send(s, "AUTH PLAIN " + plain("postern", GOOD_KEY)))).startsWith("235");
    assertThat(text(send(s, "MAIL FROM:<scan@printer.example>"))).as("no rewrite for AUTH'd clients").startsWith("550 5.7.1");
  }

  @Test
  void aRevokedMappedKeyLeavesTheDeviceUnauthenticatedAndTheDatabaseDownRefusesTheConnection() {
    SmtpSession s = fx.session(vertx, lan(UUID.randomUUID(), true), false);
    send(s, "EHLO scanner");
    assertThat(text(send(s, "MAIL FROM:<scan@printer.example>"))).startsWith("530 5.7.0");

    KeyCheck down = new KeyCheck() {
      @Override
      public io.vertx.core.Future<dev.postern.auth.AuthenticatedKey> verify(String k) {
        return io.vertx.core.Future.failedFuture(new java.net.ConnectException("refused"));
      }

      @Override
      public io.vertx.core.Future<dev.postern.auth.AuthenticatedKey> byId(UUID id) {
        return verify(null);
      }
    };
    LanShimPolicy policy = new LanShimPolicy(CidrMap.parse(Map.of("192.0.2.0/24", UUID.randomUUID().toString()))
        .mapValues(UUID::fromString), down, false);
    SmtpSession refused = new SmtpSession(new SessionSetup(fx.client, false, "mx.test", fx.limits, vertx,
        java.time.Clock.systemUTC()), policy, fx.services());
    SessionReply greeting = await(refused.open());
    assertThat(text(greeting)).startsWith("421 4.3.0");
    assertThat(greeting.next()).isEqualTo(Next.CLOSE);
  }
}
