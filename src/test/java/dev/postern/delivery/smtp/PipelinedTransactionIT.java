package dev.postern.delivery.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.config.PosternConfig.Relay;
import dev.postern.config.PosternConfig.RelayTls;
import dev.postern.support.Eventually;
import dev.postern.support.FaultRelay;
import dev.postern.support.FaultRelay.Script;
import dev.postern.support.FreePort;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.streams.ReadStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The relay client's mail transaction under PIPELINING (RFC 2920), against real SMTP servers on
 * the loopback: the scriptable {@link FaultRelay}, holding its MAIL and RCPT replies until DATA
 * arrives so that only a client sending MAIL, every RCPT and DATA as one group gets through, and
 * Postfix's {@code smtp-sink}, which advertises PIPELINING.
 */
class PipelinedTransactionIT {

  private static final long REPLY_TIMEOUT_MS = 2_000;
  private static final long DATA_TIMEOUT_MS = 5_000;

  private static Vertx vertx;
  private static Context loop;
  private static RelayConnector connector;
  private static FaultRelay relay;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    loop = vertx.getOrCreateContext();
    relay = FaultRelay.start().holdEnvelopeRepliesUntilData();
    connector = new RelayConnector(vertx, vertx.createNetClient(new NetClientOptions()
        .setConnectTimeout(2_000)), new ClientSSLOptions(), "client.test", REPLY_TIMEOUT_MS);
  }

  @AfterAll
  static void stop() {
    relay.close();
    vertx.close().await();
  }

  private static Relay relayAt(int port) {
    return new Relay("test", "127.0.0.1", port, RelayTls.NONE, null, null, 1, 1);
  }

  /** A small message, inline, as the delivery stage hands it over. */
  private static DataContent message(String messageId) {
    Buffer mime = Buffer.buffer("From: sender@example.com\r\nTo: a@dest.test\r\nMessage-ID: <"
        + messageId + ">\r\nSubject: pipelined\r\n\r\n.a line starting with a dot\r\nbye\r\n");
    return new DataContent() {
      @Override
      public Buffer head() {
        return Buffer.buffer();
      }

      @Override
      public long size() {
        return mime.length();
      }

      @Override
      public Buffer inline() {
        return mime;
      }

      @Override
      public Future<ReadStream<Buffer>> open() {
        return Future.failedFuture(new IllegalStateException("inline"));
      }
    };
  }

  /**
   * Runs {@code work} on one event loop and waits for it: a connection is confined to the loop
   * that opened it, as in a delivery verticle.
   */
  private static <T> T on(Supplier<Future<T>> work) {
    Promise<T> done = Promise.promise();
    loop.runOnContext(v -> work.get().onComplete(done));
    return done.future().await();
  }

  private static SmtpConnection connect(int port) {
    return on(() -> connector.connect(relayAt(port)));
  }

  private static TransactionResult transaction(SmtpConnection c, List<String> recipients,
      DataContent content) {
    return on(() -> MailTransaction.run(c, "sender@example.com", recipients, content,
        DATA_TIMEOUT_MS));
  }

  private static int rset(SmtpConnection c) {
    return on(() -> c.command("RSET")).code();
  }

  private static void quit(SmtpConnection c) {
    on(c::quit);
  }

  private static List<FaultRelay.Received> arrivals(String messageId) {
    return relay.received().stream().filter(r -> ("<" + messageId + ">").equals(r.messageId()))
        .toList();
  }

  @Test
  void mailEveryRcptAndDataGoAsOneGroup() {
    SmtpConnection c = connect(relay.port());
    assertThat(c.capabilities().pipelining()).isTrue();
    String id = UUID.randomUUID() + "@example.com";
    TransactionResult result = transaction(c, List.of("a@dest.test", "b@dest.test", "c@dest.test"),
        message(id));
    assertThat(result.accepted()).isTrue();
    assertThat(result.clean()).isTrue();
    assertThat(result.recipients()).extracting(RecipientResult::verdict)
        .containsOnly(Verdict.DELIVERED).hasSize(3);
    assertThat(arrivals(id)).singleElement().satisfies(r -> {
      assertThat(r.recipients()).containsExactly("a@dest.test", "b@dest.test", "c@dest.test");
      assertThat(r.content()).contains("\r\n.a line starting with a dot\r\n");
    });
    quit(c);
  }

  @Test
  void aRefusedRcptInsideTheGroupFailsOnlyItsRecipient() {
    relay.script(Script.rcpt("gone@dest.test", "550 5.1.1 gone"));
    SmtpConnection c = connect(relay.port());
    String id = UUID.randomUUID() + "@example.com";
    TransactionResult result = transaction(c, List.of("here@dest.test", "gone@dest.test",
        "also@dest.test"), message(id));
    assertThat(result.accepted()).isTrue();
    assertThat(result.recipients()).extracting(r -> r.address() + " " + r.verdict() + " " + r.reply())
        .containsExactlyInAnyOrder("gone@dest.test PERMANENT 550 5.1.1 gone",
            "here@dest.test DELIVERED " + result.finalReply(),
            "also@dest.test DELIVERED " + result.finalReply());
    assertThat(arrivals(id)).singleElement().satisfies(r ->
        assertThat(r.recipients()).containsExactly("here@dest.test", "also@dest.test"));
    quit(c);
  }

  @Test
  void everyRcptRefusedMeansDataIsRefusedAndTheConnectionIsReusable() {
    relay.script(Script.rcpt("451 4.2.1 mailbox busy"));
    SmtpConnection c = connect(relay.port());
    String refusedId = UUID.randomUUID() + "@example.com";
    TransactionResult refused = transaction(c, List.of("x@dest.test", "y@dest.test"),
        message(refusedId));
    assertThat(refused.accepted()).isFalse();
    assertThat(refused.wholeTransient()).isTrue();
    assertThat(refused.recipients()).extracting(RecipientResult::reply)
        .containsOnly("451 4.2.1 mailbox busy").hasSize(2);
    assertThat(rset(c)).isEqualTo(250);
    // The same connection carries the next transaction: its reply stream is still in step.
    String nextId = UUID.randomUUID() + "@example.com";
    assertThat(transaction(c, List.of("z@dest.test"), message(nextId)).accepted()).isTrue();
    assertThat(arrivals(refusedId)).isEmpty();
    assertThat(arrivals(nextId)).hasSize(1);
    quit(c);
  }

  @Test
  void dataOpenedWithNoRecipientIsClosedWithALoneDot() {
    FaultRelay lax = FaultRelay.start().holdEnvelopeRepliesUntilData().acceptDataWithoutRecipients();
    try {
      lax.script(Script.rcpt("550 5.1.1 no such user"));
      SmtpConnection c = connect(lax.port());
      TransactionResult result = transaction(c, List.of("nobody@dest.test"),
          message(UUID.randomUUID() + "@example.com"));
      assertThat(result.accepted()).isFalse();
      assertThat(result.recipients()).singleElement().satisfies(r -> {
        assertThat(r.verdict()).isEqualTo(Verdict.PERMANENT);
        assertThat(r.reply()).isEqualTo("550 5.1.1 no such user");
      });
      assertThat(lax.received()).isEmpty();
      // Had the content been sent, or the dot not, the next reply would be out of step.
      assertThat(rset(c)).isEqualTo(250);
      String id = UUID.randomUUID() + "@example.com";
      assertThat(transaction(c, List.of("someone@dest.test"), message(id)).accepted()).isTrue();
      assertThat(lax.received()).singleElement().extracting(FaultRelay.Received::messageId)
          .isEqualTo("<" + id + ">");
      quit(c);
    } finally {
      lax.close();
    }
  }

  @Test
  void postfixSmtpSinkTakesPipelinedTransactionsOnOneConnection() throws Exception {
    Path sink = Path.of("/usr/sbin/smtp-sink");
    Assumptions.assumeTrue(Files.isExecutable(sink), "Postfix's smtp-sink is not installed");
    int port = FreePort.next();
    Path dumps = Files.createTempDirectory("smtp-sink");
    Files.setPosixFilePermissions(dumps, PosixFilePermissions.fromString("rwxrwxrwx"));
    // -u: smtp-sink refuses to run as root without it; -d: one file per message received.
    Process process = new ProcessBuilder(sink.toString(), "-u", "nobody", "-d",
        dumps + "/%M", "127.0.0.1:" + port, "16").redirectErrorStream(true).start();
    try {
      Eventually.until(Duration.ofSeconds(10), () -> listening(port), () -> "smtp-sink not up");
      SmtpConnection c = connect(port);
      assertThat(c.capabilities().pipelining()).isTrue();
      for (int i = 0; i < 5; i++) {
        TransactionResult result = transaction(c, List.of("a@dest.test", "b@dest.test"),
            message(UUID.randomUUID() + "@example.com"));
        assertThat(result.accepted()).as("transaction %d: %s", i, result).isTrue();
        assertThat(result.recipients()).extracting(RecipientResult::verdict)
            .containsOnly(Verdict.DELIVERED).hasSize(2);
      }
      quit(c);
      Eventually.until(Duration.ofSeconds(10), () -> count(dumps) == 5,
          () -> count(dumps) + " messages dumped by smtp-sink");
      try (var files = Files.list(dumps)) {
        String dumped = Files.readString(files.findFirst().orElseThrow(), StandardCharsets.ISO_8859_1);
        assertThat(dumped).contains("a@dest.test").contains("b@dest.test").contains("Subject: pipelined");
      }
    } finally {
      process.destroy();
    }
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static long count(Path dir) {
    try (var files = Files.list(dir)) {
      return files.count();
    } catch (IOException e) {
      return -1;
    }
  }
}
