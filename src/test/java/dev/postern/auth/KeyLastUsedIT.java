package dev.postern.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.SqlSeed;
import dev.postern.support.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** SPEC §2: a key's last_used_at advances when it is used (written in batches, and on stop). */
class KeyLastUsedIT {

  @Test
  void usingAKeyRecordsWhenItWasLastUsed() {
    TestGateway gateway = TestGateway.start();
    String pgUrl = gateway.pgUrl();
    Instant before = Instant.now().minusSeconds(1);
    String id;
    try {
      SqlSeed.mailbox(pgUrl, "used@keys.example");
      HttpResponse<String> created = gateway.admin("POST", "/admin/v1/keys", new JsonObject()
          .put("name", "used").put("mailbox", "used@keys.example"));
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      JsonObject key = new JsonObject(created.body());
      id = key.getString("id");
      assertThat(gateway.withKey(key.getString("key"), "GET", "/v1/emails/_ping", null).statusCode())
          .isEqualTo(200);
    } finally {
      gateway.close(); // flushes the pending last-use times
    }
    Vertx vertx = Vertx.vertx();
    try {
      Pool db = PgBuilder.pool().connectingTo(pgUrl).using(vertx).build();
      Row row = db.preparedQuery("SELECT last_used_at FROM api_keys WHERE id = $1")
          .execute(Tuple.of(UUID.fromString(id))).await().iterator().next();
      db.close().await();
      assertThat(row.getOffsetDateTime("last_used_at")).as("last_used_at").isNotNull();
      assertThat(row.getOffsetDateTime("last_used_at").toInstant()).isAfter(before);
    } finally {
      vertx.close().await();
    }
  }
}
