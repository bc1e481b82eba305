package dev.postern.webhooks;

import dev.postern.keys.KeyVault;
import dev.postern.keys.Sealed;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/** Webhook and domain rows as the admin API creates them (secret sealed with row id = webhook id). */
final class WebhookRows {

  private static final SecureRandom RANDOM = new SecureRandom();

  record Webhook(UUID id, String secret) {}

  private WebhookRows() {}

  static Webhook insert(Pool pool, KeyVault vault, String url, List<String> events, UUID domainId) {
    UUID id = UUID.randomUUID();
    byte[] key = new byte[24];
    RANDOM.nextBytes(key);
    String secret = "whsec_" + Base64.getEncoder().encodeToString(key);
    Sealed sealed = vault.seal(secret.getBytes(StandardCharsets.US_ASCII), id, KeyVault.WEBHOOK_SECRET_INFO);
    pool.preparedQuery("""
            INSERT INTO webhooks (id, url, events, secret_sealed, secret_salt, master_version, domain_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7)""")
        .execute(Tuple.of(id, url, events.toArray(new String[0]), Buffer.buffer(sealed.ciphertext()),
            Buffer.buffer(sealed.salt()), sealed.masterVersion(), domainId))
        .await();
    return new Webhook(id, secret);
  }

  static UUID domain(Pool pool, String name) {
    UUID id = UUID.randomUUID();
    pool.preparedQuery("""
            INSERT INTO domains (id, name, verification_token, dkim_selector, dkim_public_key,
                                 dkim_private_sealed, dkim_private_salt, master_version)
            VALUES ($1, $2, 'seed', 'seed', 'seed', '\\x00', '\\x00', 1)""")
        .execute(Tuple.of(id, name)).await();
    return id;
  }
}
