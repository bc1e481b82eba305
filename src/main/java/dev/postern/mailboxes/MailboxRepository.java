package dev.postern.mailboxes;

import dev.postern.keys.KeyRepository;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** SQL for {@code mailboxes}; addresses are unique case-insensitively (index on lower(address)). */
public final class MailboxRepository {

  private static final String SELECT = "SELECT m.id, m.address, m.domain_id, d.name AS domain,"
      + " m.encryption_tier, m.pgp_public_key, m.created_at"
      + " FROM mailboxes m JOIN domains d ON d.id = m.domain_id";

  private final Pool pool;

  public MailboxRepository(Pool pool) {
    this.pool = pool;
  }

  /** Inserts unless the address is taken (in any case); empty when it was. */
  Future<Optional<Mailbox>> insert(UUID id, String address, UUID domainId, EncryptionTier tier,
      String pgpPublicKey) {
    return pool.preparedQuery("WITH m AS (INSERT INTO mailboxes (id, domain_id, address,"
            + " encryption_tier, pgp_public_key) VALUES ($1, $2, $3, $4, $5)"
            + " ON CONFLICT (lower(address)) DO NOTHING RETURNING *)"
            + " SELECT m.id, m.address, m.domain_id, d.name AS domain, m.encryption_tier,"
            + " m.pgp_public_key, m.created_at FROM m JOIN domains d ON d.id = m.domain_id")
        .execute(Tuple.of(id, domainId, address, tier.wire(), pgpPublicKey))
        .map(MailboxRepository::first);
  }

  public Future<Optional<Mailbox>> byId(UUID id) {
    return pool.preparedQuery(SELECT + " WHERE m.id = $1").execute(Tuple.of(id))
        .map(MailboxRepository::first);
  }

  public Future<Optional<Mailbox>> byAddress(String address) {
    return pool.preparedQuery(SELECT + " WHERE lower(m.address) = lower($1)").execute(Tuple.of(address))
        .map(MailboxRepository::first);
  }

  /** @param domain a normalised domain name, or null for every mailbox */
  public Future<List<Mailbox>> list(String domain) {
    return pool.preparedQuery(SELECT + " WHERE ($1::text IS NULL OR d.name = $1) ORDER BY lower(m.address)")
        .execute(Tuple.of(domain))
        .map(rows -> {
          List<Mailbox> out = new ArrayList<>();
          rows.forEach(row -> out.add(mailbox(row)));
          return out;
        });
  }

  Future<Optional<Mailbox>> update(UUID id, EncryptionTier tier, String pgpPublicKey) {
    return pool.preparedQuery("WITH m AS (UPDATE mailboxes SET encryption_tier = $2,"
            + " pgp_public_key = $3 WHERE id = $1 RETURNING *)"
            + " SELECT m.id, m.address, m.domain_id, d.name AS domain, m.encryption_tier,"
            + " m.pgp_public_key, m.created_at FROM m JOIN domains d ON d.id = m.domain_id")
        .execute(Tuple.of(id, tier.wire(), pgpPublicKey))
        .map(MailboxRepository::first);
  }

  /**
   * Deletes the mailbox; its API keys go with it (ON DELETE CASCADE), and in the same transaction
   * every node is told, per key, to drop it from its key cache (issue #15 item 3): without the
   * notification another node would keep accepting a deleted key for up to {@code cache_ttl}.
   * The mailbox row is locked first, so no key can be bound to it between the notifications and
   * the delete (a key insert's foreign-key check needs a share lock on it). NOTIFY is delivered
   * at commit only, so a refused delete (23503: mail on record) notifies nobody.
   *
   * @return whether a row was deleted
   */
  Future<Boolean> delete(UUID id) {
    return pool.withTransaction(tx -> tx.preparedQuery("SELECT id FROM mailboxes WHERE id = $1 FOR UPDATE")
        .execute(Tuple.of(id))
        .compose(locked -> locked.size() == 0 ? Future.succeededFuture(false)
            : tx.preparedQuery("SELECT pg_notify($2, lookup_prefix) FROM api_keys WHERE mailbox_id = $1")
                .execute(Tuple.of(id, KeyRepository.CHANGES_CHANNEL))
                .compose(notified -> tx.preparedQuery("DELETE FROM mailboxes WHERE id = $1")
                    .execute(Tuple.of(id)))
                .map(rows -> rows.rowCount() == 1)));
  }

  private static Optional<Mailbox> first(RowSet<Row> rows) {
    return rows.size() == 0 ? Optional.empty() : Optional.of(mailbox(rows.iterator().next()));
  }

  private static Mailbox mailbox(Row row) {
    return new Mailbox(row.getUUID("id"), row.getString("address"), row.getUUID("domain_id"),
        row.getString("domain"), EncryptionTier.fromWire(row.getString("encryption_tier")).orElseThrow(),
        row.getString("pgp_public_key"), row.getOffsetDateTime("created_at"));
  }
}
