package dev.postern.domains;

import dev.postern.keys.Sealed;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** SQL for {@code domains}. Names passed in are already normalised ({@link DomainName}). */
public final class DomainRepository {

  /** A domain row with its sealed DKIM private key, for opening by {@link DomainService}. */

  private static final String COLUMNS = "id, name, verification_token, verified_at, dkim_selector, "
      + "dkim_algorithm, dkim_public_key, created_at, catch_all_mailbox_id";

  private final Pool pool;

  public DomainRepository(Pool pool) {
    this.pool = pool;
  }

  /** Inserts unless the name is taken; empty when it was (by anyone, concurrently or before). */
  Future<Optional<Domain>> insert(UUID id, String name, String token, String selector,
      String publicKey, Sealed privateKey) {
    return pool.preparedQuery("INSERT INTO domains (id, name, verification_token, dkim_selector,"
            + " dkim_algorithm, dkim_public_key, dkim_private_sealed, dkim_private_salt, master_version)"
            + " VALUES ($1, $2, $3, $4, 'rsa-sha256', $5, $6, $7, $8)"
            + " ON CONFLICT (name) DO NOTHING RETURNING " + COLUMNS)
        .execute(Tuple.of(id, name, token, selector, publicKey)
            .addBuffer(Buffer.buffer(privateKey.ciphertext()))
            .addBuffer(Buffer.buffer(privateKey.salt()))
            .addInteger(privateKey.masterVersion()))
        .map(DomainRepository::first);
  }

  public Future<Optional<Domain>> byId(UUID id) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM domains WHERE id = $1")
        .execute(Tuple.of(id)).map(DomainRepository::first);
  }

  public Future<Optional<Domain>> byName(String name) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM domains WHERE name = $1")
        .execute(Tuple.of(name)).map(DomainRepository::first);
  }

  public Future<List<Domain>> list() {
    return pool.query("SELECT " + COLUMNS + " FROM domains ORDER BY name").execute()
        .map(rows -> {
          List<Domain> out = new ArrayList<>();
          rows.forEach(row -> out.add(domain(row)));
          return out;
        });
  }

  /** Sets verified_at the first time only; later checks keep the original moment. */
  Future<Optional<Domain>> markVerified(UUID id) {
    return pool.preparedQuery("UPDATE domains SET verified_at = coalesce(verified_at, now())"
            + " WHERE id = $1 RETURNING " + COLUMNS)
        .execute(Tuple.of(id)).map(DomainRepository::first);
  }

  /**
   * Sets (or, with null, clears) the catch-all; the mailbox must belong to the domain. Empty when
   * the domain does not exist or the mailbox is not one of its own.
   */
  Future<Optional<Domain>> setCatchAll(UUID id, UUID mailboxId) {
    return pool.preparedQuery("UPDATE domains SET catch_all_mailbox_id = $2 WHERE id = $1"
            + " AND ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM mailboxes m WHERE m.id = $2"
            + " AND m.domain_id = $1)) RETURNING " + COLUMNS)
        .execute(Tuple.of(id, mailboxId)).map(DomainRepository::first);
  }

  private static Optional<Domain> first(RowSet<Row> rows) {
    return rows.size() == 0 ? Optional.empty() : Optional.of(domain(rows.iterator().next()));
  }

  static Domain domain(Row row) {
    return new Domain(row.getUUID("id"), row.getString("name"), row.getString("verification_token"),
        row.getOffsetDateTime("verified_at"), row.getString("dkim_selector"),
        row.getString("dkim_algorithm"), row.getString("dkim_public_key"),
        row.getOffsetDateTime("created_at"), row.getUUID("catch_all_mailbox_id"));
  }
}
