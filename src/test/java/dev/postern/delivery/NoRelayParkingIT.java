package dev.postern.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.keys.MasterSecrets;
import dev.postern.support.Eventually;
import dev.postern.support.GreenMailFixture;
import dev.postern.support.OutboundSeed;
import dev.postern.support.PgFixture;
import dev.postern.support.SqlSeed;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * SPEC §4a with no relay configured: accepted mail is {@code deferred} with reason "no relay
 * configured" from the accept on, and no worker claims it (issue #11: no claim/defer churn);
 * once the operator configures a relay and restarts, it goes out.
 */
class NoRelayParkingIT {

  private static final String NO_RELAY = "no relay configured";

  private static JsonObject fastDelivery() {
    return new JsonObject().put("delivery", new JsonObject()
        .put("retry_base_ms", 200).put("retry_max_ms", 400).put("poll_interval_ms", 200));
  }

  @Test
  void mailWaitsDeferredUnclaimedAndGoesOutOnceARelayIsConfigured() {
    String pgUrl = PgFixture.freshDatabaseUrl();
    Map<String, String> shared = Map.of("POSTERN_PG_URL", pgUrl,
        "POSTERN_MASTER_SECRET", MasterSecrets.generate());
    String id;
    try (TestGateway bare = TestGateway.start(shared, fastDelivery());
        OutboundSeed seed = new OutboundSeed(pgUrl)) {
      SqlSeed.mailbox(pgUrl, "app@shop.example");
      HttpResponse<String> created = bare.admin("POST", "/admin/v1/keys", new JsonObject()
          .put("name", "t").put("mailbox", "app@shop.example").put("scope", "full_access"));
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      String key = new JsonObject(created.body()).getString("key");
      HttpResponse<String> sent = bare.send("POST", "/v1/emails", new JsonObject()
              .put("from", "app@shop.example").put("to", new JsonArray().add("alice@dest.test").add("bob@dest.test"))
              .put("subject", "parked").put("text", "waits for a relay").encode(),
          Map.of("Authorization", "Bearer " + key, "Content-Type", "application/json"));
      assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
      id = new JsonObject(sent.body()).getString("id");

      // Answered as the worker's first attempt would have left it, from the accept on.
      JsonObject status = new JsonObject(bare.withKey(key, "GET", "/v1/emails/" + id, null).body());
      assertThat(status.getString("status")).isEqualTo("deferred");
      assertThat(status.getString("last_event")).isEqualTo("deferred");
      assertThat(status.getJsonArray("recipients")).hasSize(2).allSatisfy(r -> {
        assertThat(((JsonObject) r).getString("status")).isEqualTo("deferred");
        assertThat(((JsonObject) r).getString("reply")).isEqualTo(NO_RELAY);
      });
      JsonArray events = status.getJsonArray("events");
      assertThat(events.stream().map(e -> ((JsonObject) e).getString("type")))
          .containsExactly("queued", "deferred", "deferred");
      assertThat(events.getJsonObject(1).getString("reply")).isEqualTo(NO_RELAY);

      // The workers are claiming: mail queued due (seeded as before this change) is attempted…
      UUID due = seed.live("carol@dest.test");
      Eventually.until(Duration.ofSeconds(20), () -> "deferred".equals(seed.status(due)),
          () -> "status " + seed.status(due));
      Eventually.until(Duration.ofSeconds(20), () -> seed.queueRow(due).getInteger("attempts") >= 2,
          () -> "queue row " + seed.queueRow(due));
      // …but the accepted one never was: no attempt, no lease, no event beyond the accept's.
      UUID parked = UUID.fromString(id);
      JsonObject row = seed.queueRow(parked);
      assertThat(row.getInteger("attempts")).isZero();
      assertThat(row.getString("lease_owner")).isNull();
      assertThat(row.getString("last_error")).isEqualTo(NO_RELAY);
      assertThat(seed.count("SELECT count(*) FROM delivery_queue WHERE due_at = 'infinity' AND message_id = '"
          + parked + "'")).isEqualTo(1);
      assertThat(seed.recipients(parked)).allSatisfy(r -> assertThat(r.getInteger("attempts")).isZero());
      assertThat(seed.events(parked)).hasSize(3);
    }

    // The operator configures a relay and restarts: the parked mail goes out.
    try (GreenMailFixture relay = GreenMailFixture.start();
        TestGateway relaying = TestGateway.start(
            Map.of("POSTERN_PG_URL", pgUrl, "POSTERN_MASTER_SECRET", shared.get("POSTERN_MASTER_SECRET"),
                "POSTERN_RELAY_URL", relay.relayUrl()), fastDelivery());
        OutboundSeed seed = new OutboundSeed(pgUrl)) {
      UUID parked = UUID.fromString(id);
      Eventually.until(Duration.ofSeconds(30), () -> "delivered".equals(seed.status(parked)),
          () -> "status " + seed.status(parked) + ", events " + seed.events(parked));
      // GreenMail keeps one copy per recipient.
      assertThat(Arrays.stream(relay.server().getReceivedMessages()).filter(m -> "parked".equals(subject(m))))
          .hasSize(2);
      assertThat(seed.events(parked).stream().map(e -> e.getString("type")))
          .containsExactly("queued", "deferred", "deferred", "sent", "delivered", "delivered");
      assertThat(seed.queueRow(parked)).isNull();
    }
  }

  private static String subject(jakarta.mail.internet.MimeMessage m) {
    try {
      return m.getSubject();
    } catch (jakarta.mail.MessagingException e) {
      return null;
    }
  }
}
