package dev.postern.send;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.SqlSeed;
import dev.postern.support.TestGateway;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Issue #4: blobs whose message row never committed are swept; referenced blobs never are. */
class OrphanBlobSweeperIT {

  private static TestGateway gateway;
  private static Pool db;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start();
    SqlSeed.mailbox(gateway.pgUrl(), "app@shop.example");
    db = PgBuilder.pool().connectingTo(gateway.pgUrl()).using(gateway.vertx()).build();
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  @Test
  void deletesUnreferencedBlobsAndKeepsAcceptedMessages() {
    String key = new JsonObject(gateway.admin("POST", "/admin/v1/keys", new JsonObject().put("name", "s")
        .put("mailbox", "app@shop.example").put("scope", "full_access")).body()).getString("key");
    byte[] data = new byte[400 * 1024];
    JsonObject body = new JsonObject().put("from", "app@shop.example").put("to", "a@example.org")
        .put("subject", "big").put("text", "see attached").put("attachments", new JsonArray().add(
            new JsonObject().put("filename", "a.bin").put("content", Base64.getEncoder().encodeToString(data))));
    String id = new JsonObject(gateway.send("POST", "/v1/emails", body.encode(),
        Map.of("Authorization", "Bearer " + key, "Content-Type", "application/json")).body()).getString("id");
    String referenced = db.preparedQuery("SELECT blob_key FROM outbound_messages WHERE id = $1")
        .execute(Tuple.of(UUID.fromString(id))).await().iterator().next().getString(0);

    String day = DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC).format(Clock.systemUTC().instant());
    String orphan = "out/" + day + "/" + UUID.randomUUID() + ".eml";
    gateway.core().blobs().put(orphan, Buffer.buffer("half a story")).await();
    // A received message whose inbound_raw row never committed (the MX's node died in between),
    // and one that did.
    String inboundOrphan = "in/" + day + "/" + UUID.randomUUID() + ".eml";
    gateway.core().blobs().put(inboundOrphan, Buffer.buffer("Received: lost")).await();
    UUID rawId = UUID.randomUUID();
    String inboundKept = "in/" + day + "/" + rawId + ".eml";
    gateway.core().blobs().put(inboundKept, Buffer.buffer("Received: kept")).await();
    db.preparedQuery("INSERT INTO inbound_raw (id, source, encrypted, blob_key, mime_size)"
        + " VALUES ($1, 'mx', false, $2, 14)").execute(Tuple.of(rawId, inboundKept)).await();

    // A minimum age of zero: everything unreferenced right now is an orphan.
    OrphanBlobSweeper sweeper = new OrphanBlobSweeper(gateway.vertx(), gateway.core().blobs(), db,
        Clock.offset(Clock.systemUTC(), Duration.ofSeconds(1)), Duration.ZERO);
    assertThat(sweeper.sweep().await()).isEqualTo(2);
    assertThat(gateway.core().blobs().exists(orphan).await()).isFalse();
    assertThat(gateway.core().blobs().exists(referenced).await()).isTrue();
    assertThat(gateway.core().blobs().exists(inboundOrphan).await()).isFalse();
    assertThat(gateway.core().blobs().exists(inboundKept).await()).isTrue();

    // With the real minimum age, a fresh orphan is left alone (its commit may still be in flight).
    String fresh = "out/" + day + "/" + UUID.randomUUID() + ".eml";
    gateway.core().blobs().put(fresh, Buffer.buffer("in flight")).await();
    OrphanBlobSweeper patient = new OrphanBlobSweeper(gateway.vertx(), gateway.core().blobs(), db,
        Clock.systemUTC(), Duration.ofHours(1));
    assertThat(patient.sweep().await()).isZero();
    assertThat(gateway.core().blobs().exists(fresh).await()).isTrue();
  }
}
