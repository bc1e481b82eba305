package dev.postern.support;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;

/**
 * Rows inserted straight into a test database, for tests of one feature that need another
 * feature's data to exist (a mailbox to bind a key to) without going through its API.
 */
public final class SqlSeed {

  private SqlSeed() {}

  /** Moves a key's expiry into the past (the admin API accepts only future expiries). */
  public static void expireKey(String pgUrl, String keyId) {
    Vertx vertx = Vertx.vertx();
    try {
      Pool pool = PgBuilder.pool().connectingTo(pgUrl).using(vertx).build();
      int updated = pool.preparedQuery("UPDATE api_keys SET expires_at = now() - interval '1 minute' WHERE id = $1")
          .execute(Tuple.of(UUID.fromString(keyId))).await().rowCount();
      pool.close().await();
      if (updated != 1) {
        throw new IllegalStateException("no api key " + keyId);
      }
    } finally {
      vertx.close().await();
    }
  }

  /** A domain (with placeholder DKIM columns) and a plaintext-tier mailbox on it. */
  public static UUID mailbox(String pgUrl, String address) {
    String domain = address.substring(address.indexOf('@') + 1).toLowerCase();
    Vertx vertx = Vertx.vertx();
    try {
      Pool pool = PgBuilder.pool().connectingTo(pgUrl).using(vertx).build();
      UUID domainId = pool.preparedQuery("""
              INSERT INTO domains (id, name, verification_token, dkim_selector, dkim_public_key,
                                   dkim_private_sealed, dkim_private_salt, master_version)
              VALUES (gen_random_uuid(), $1, 'seed', 'seed', 'seed', '\\x00', '\\x00', 1)
              ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id""")
          .execute(Tuple.of(domain)).await().iterator().next().getUUID(0);
      UUID mailboxId = UUID.randomUUID();
      pool.preparedQuery("INSERT INTO mailboxes (id, domain_id, address, encryption_tier) VALUES ($1, $2, $3, 'plaintext')")
          .execute(Tuple.of(mailboxId, domainId, address)).await();
      pool.close().await();
      return mailboxId;
    } finally {
      vertx.close().await();
    }
  }
}
