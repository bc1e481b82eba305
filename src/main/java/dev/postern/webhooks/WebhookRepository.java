package dev.postern.webhooks;

import dev.postern.keys.Sealed;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** SQL for {@code webhooks}. The sealed secret is read only by {@link #sealedSecret}. */
public final class WebhookRepository {

  private static final String SELECT = "SELECT w.id, w.url, w.events, w.domain_id, d.name AS domain,"
      + " w.created_at FROM webhooks w LEFT JOIN domains d ON d.id = w.domain_id";

  private final Pool pool;

  public WebhookRepository(Pool pool) {
    this.pool = pool;
  }

  Future<Webhook> insert(UUID id, String url, List<String> events, UUID domainId, Sealed secret) {
    return pool.preparedQuery("INSERT INTO webhooks (id, url, events, domain_id, secret_sealed,"
            + " secret_salt, master_version) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .execute(Tuple.of(id, url, events.toArray(String[]::new), domainId)
            .addBuffer(Buffer.buffer(secret.ciphertext()))
            .addBuffer(Buffer.buffer(secret.salt()))
            .addInteger(secret.masterVersion()))
        .compose(v -> byId(id))
        .map(Optional::orElseThrow);
  }

  public Future<Optional<Webhook>> byId(UUID id) {
    return pool.preparedQuery(SELECT + " WHERE w.id = $1").execute(Tuple.of(id))
        .map(WebhookRepository::first);
  }

  public Future<List<Webhook>> list() {
    return pool.query(SELECT + " ORDER BY w.created_at, w.id").execute().map(rows -> {
      List<Webhook> out = new ArrayList<>();
      rows.forEach(row -> out.add(webhook(row)));
      return out;
    });
  }

  Future<Boolean> delete(UUID id) {
    return pool.preparedQuery("DELETE FROM webhooks WHERE id = $1").execute(Tuple.of(id))
        .map(rows -> rows.rowCount() == 1);
  }

  Future<Optional<Sealed>> sealedSecret(UUID id) {
    return pool.preparedQuery("SELECT secret_sealed, secret_salt, master_version FROM webhooks WHERE id = $1")
        .execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(sealed(rows.iterator().next())));
  }

  private static Sealed sealed(Row row) {
    return new Sealed(row.getBuffer("secret_salt").getBytes(), row.getBuffer("secret_sealed").getBytes(),
        row.getInteger("master_version"));
  }

  private static Optional<Webhook> first(RowSet<Row> rows) {
    return rows.size() == 0 ? Optional.empty() : Optional.of(webhook(rows.iterator().next()));
  }

  private static Webhook webhook(Row row) {
    return new Webhook(row.getUUID("id"), row.getString("url"),
        Arrays.asList(row.getArrayOfStrings("events")), row.getUUID("domain_id"),
        row.getString("domain"), row.getOffsetDateTime("created_at"));
  }
}
