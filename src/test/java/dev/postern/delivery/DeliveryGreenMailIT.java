package dev.postern.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMailUtil;
import dev.postern.support.Eventually;
import dev.postern.support.GreenMailFixture;
import dev.postern.support.OutboundSeed;
import dev.postern.support.TestGateway;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Delivery against a real SMTP server (GreenMail, no PIPELINING): issue #5's happy paths. */
class DeliveryGreenMailIT {

  private static GreenMailFixture relay;
  private static TestGateway gateway;
  private static OutboundSeed seed;

  @BeforeAll
  static void start() {
    relay = GreenMailFixture.start();
    gateway = TestGateway.start(Map.of("POSTERN_RELAY_URL", relay.relayUrl()),
        new JsonObject().put("delivery", new JsonObject().put("poll_interval_ms", 500)));
    seed = new OutboundSeed(gateway.pgUrl());
  }

  @AfterAll
  static void stop() {
    seed.close();
    gateway.close();
    relay.close();
  }

  private static MimeMessage[] arrivedWith(UUID id, int count) {
    String messageId = "<" + id + "@example.com>";
    MimeMessage[][] found = new MimeMessage[1][];
    Eventually.until(Duration.ofSeconds(20), () -> {
      found[0] = Arrays.stream(relay.server().getReceivedMessages())
          .filter(m -> messageId.equals(header(m, "Message-ID"))).toArray(MimeMessage[]::new);
      return found[0].length >= count;
    }, () -> "message " + id + " not at the relay; status " + seed.status(id));
    return found[0];
  }

  private static String header(MimeMessage m, String name) {
    try {
      return m.getHeader(name, null);
    } catch (Exception e) {
      return null;
    }
  }

  private static void awaitStatus(UUID id, String status) {
    Eventually.until(Duration.ofSeconds(20), () -> status.equals(seed.status(id)),
        () -> "status " + seed.status(id) + ", events " + seed.events(id));
  }

  @Test
  void liveMessageIsDeliveredToEveryRecipientWithEventsRecorded() throws Exception {
    UUID id = seed.live("alice@dest.test", "bob@dest.test");
    MimeMessage[] arrived = arrivedWith(id, 2); // GreenMail keeps one copy per recipient
    assertThat(arrived[0].getSubject()).isEqualTo("seed 1");
    assertThat(GreenMailUtil.getBody(arrived[0])).contains("Hello from the delivery tests.");
    awaitStatus(id, "delivered");
    assertThat(seed.recipients(id)).allSatisfy(r -> {
      assertThat(r.getString("status")).isEqualTo("delivered");
      assertThat(r.getString("reply")).startsWith("250");
      assertThat(r.getInteger("attempts")).isEqualTo(1);
    });
    assertThat(seed.events(id)).extracting(e -> e.getString("type"))
        .containsExactly("queued", "sent", "delivered", "delivered");
    assertThat(seed.events(id).get(1).getString("relay")).isEqualTo("relay-1");
    assertThat(seed.queueRow(id)).isNull();
  }

  @Test
  void sandboxMessageWithAQueueRowIsNeverRelayed() {
    UUID id = seed.sandboxWithQueueRow("sandbox@dest.test");
    Eventually.until(Duration.ofSeconds(20), () -> seed.queueRow(id) == null, () -> "queue row left");
    assertThat(seed.status(id)).isEqualTo("sandboxed");
    // A live message queued after it reaching the relay shows the workers have moved past it.
    arrivedWith(seed.live("next-in-queue@dest.test"), 1);
    assertThat(relay.server().getReceivedMessagesForDomain("sandbox@dest.test")).isEmpty();
    assertThat(seed.events(id)).extracting(e -> e.getString("type")).doesNotContain("sent", "delivered");
  }

  @Test
  void scheduledMessageWaitsUntilDue() {
    UUID id = seed.scheduled(Duration.ofHours(1), "later@dest.test");
    // A live message queued after it being delivered shows the workers have claimed since.
    UUID after = seed.live("next-in-queue@dest.test");
    arrivedWith(after, 1);
    awaitStatus(after, "delivered");
    assertThat(seed.status(id)).isEqualTo("scheduled");
    assertThat(relay.server().getReceivedMessagesForDomain("later@dest.test")).isEmpty();
    seed.makeDue(id); // the hour has passed
    arrivedWith(id, 1);
    awaitStatus(id, "delivered");
  }

  @Test
  void largeMessageIsStreamedFromTheBlobStoreWithDotsStuffed() throws Exception {
    // ~6 MB with lines starting with a dot: must arrive byte-exact after un-stuffing.
    StringBuilder body = new StringBuilder();
    String line = ".line starting with a dot, and then some text to make it long enough\r\n";
    while (body.length() < 6_000_000) {
      body.append(line);
    }
    UUID id = UUID.randomUUID();
    String mime = "Message-ID: <" + id + "@example.com>\r\nFrom: sender@example.com\r\n"
        + "To: big@dest.test\r\nSubject: big\r\n\r\n" + body;
    String key = "out/2026/11/22/" + id + ".eml";
    gateway.core().blobs().put(key, Buffer.buffer(mime)).await();
    UUID seeded = seed.liveInBlob(key, mime.length(), "big@dest.test");
    // The seed names its own Message-ID; the blob's content is what travels.
    Eventually.until(Duration.ofSeconds(60), () -> "delivered".equals(seed.status(seeded)),
        () -> "status " + seed.status(seeded) + " " + seed.events(seeded));
    MimeMessage arrived = Arrays.stream(relay.server().getReceivedMessages())
        .filter(m -> ("<" + id + "@example.com>").equals(header(m, "Message-ID")))
        .findFirst().orElseThrow();
    String received = GreenMailUtil.getBody(arrived);
    assertThat(received.length()).isBetween(body.length() - 2, body.length());
    assertThat(received).startsWith(".line starting").doesNotContain("\r\n..line");
  }
}
