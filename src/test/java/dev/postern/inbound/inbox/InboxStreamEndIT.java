package dev.postern.inbound.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.Eventually;
import dev.postern.support.InboxSeed;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A stream the gateway ends (its key revoked; shutdown ends streams the same way) closes its
 * connection even when the client has stopped reading: Vert.x's graceful close waits for the
 * client to take what was written, so a stalled client is cut off after
 * {@code InboxStream.END_GRACE_MILLIS} (5 s) — its socket and buffered events freed. The
 * heartbeat here is a minute, so only the end can be what closes it.
 */
class InboxStreamEndIT {

  private static TestGateway gateway;
  private static InboxSeed seed;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start(Map.of(), new JsonObject().put("inbox", new JsonObject()
        .put("stream_heartbeat_seconds", 60).put("stream_buffer_bytes", 4096)));
    seed = new InboxSeed(gateway);
  }

  @AfterAll
  static void stop() {
    seed.close();
    gateway.close();
  }

  @Test
  void aRevokedKeysStreamIsClosedEvenWhenItsClientDoesNotRead() throws Exception {
    UUID box = seed.mailbox("stalled@end.test", "plaintext");
    HttpResponse<String> created = gateway.admin("POST", "/admin/v1/keys", new JsonObject()
        .put("name", "stalled").put("mailbox", "stalled@end.test").put("scope", "full_access"));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String key = new JsonObject(created.body()).getString("key");
    String keyId = new JsonObject(created.body()).getString("id");
    UUID message = seed.file(box, InboxSeed.mail().subject("e".repeat(60_000)).receivedAt(Instant.now())).id();
    String before = seed.text("SELECT change_seq FROM mailboxes WHERE id = $1", box);
    for (int i = 0; i < MailChangeFeed.PAGE; i++) { // 30 MB: beyond what the sockets absorb
      List<String> seen = List.of("\\Seen");
      (i % 2 == 0 ? seed.store().addFlags(box, message, seen)
          : seed.store().removeFlags(box, message, seen)).await();
    }

    try (InboxStreamLimitsIT.SlowClient slow = InboxStreamLimitsIT.SlowClient.connectedOrNull(
        gateway.config().http().port(), key, before)) {
      assertThat(slow).isNotNull();
      // Settled: the stream is at its bound, its last event waiting for a client that never reads.
      Eventually.until(Duration.ofSeconds(20),
          () -> InboxStreamLimitsIT.metric(gateway, "postern_inbox_streams_unsent_bytes") > 4096,
          () -> "the stream never filled up to its bound");

      assertThat(gateway.admin("DELETE", "/admin/v1/keys/" + keyId, null).statusCode()).isIn(200, 204);
      // Ended at once (its slot free), and within the grace its connection is cut: what it held
      // is dropped, which the client did nothing to cause.
      Eventually.until(Duration.ofSeconds(20),
          () -> InboxStreamLimitsIT.metric(gateway, "postern_inbox_streams_open") == 0
              && InboxStreamLimitsIT.metric(gateway, "postern_inbox_streams_unsent_bytes") == 0,
          () -> "the revoked stream still holds "
              + InboxStreamLimitsIT.metric(gateway, "postern_inbox_streams_unsent_bytes") + " octets");
      slow.readToEnd(Duration.ofSeconds(30));
    }
  }
}
