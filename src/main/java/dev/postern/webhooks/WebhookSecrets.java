package dev.postern.webhooks;

import dev.postern.cache.BoundedCache;
import dev.postern.keys.KeyVault;
import dev.postern.keys.Sealed;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.util.Arrays;
import java.util.UUID;

/**
 * Opens webhook secrets (sealed with row id = webhook id, info
 * {@link KeyVault#WEBHOOK_SECRET_INFO}) on the CPU worker and keeps the derived signers in a
 * bounded cache. An entry remembers the sealed bytes it came from, so a rotated secret (new
 * sealed value in the row) is opened afresh without any invalidation message.
 * Thread-safe. Never logs a secret.
 */
final class WebhookSecrets {

  private record Entry(byte[] ciphertext, StandardWebhookSignature signer) {}

  private final KeyVault vault;
  private final WorkerExecutor cpu;
  private final BoundedCache<UUID, Entry> cache;

  WebhookSecrets(KeyVault vault, WorkerExecutor cpu, int maxSize) {
    this.vault = vault;
    this.cpu = cpu;
    this.cache = BoundedCache.withoutExpiry(maxSize);
  }

  Future<StandardWebhookSignature> signer(UUID webhookId, Sealed sealed) {
    byte[] ciphertext = sealed.ciphertext();
    Entry entry = cache.get(webhookId);
    if (entry != null && Arrays.equals(entry.ciphertext(), ciphertext)) {
      return Future.succeededFuture(entry.signer());
    }
    return cpu.<StandardWebhookSignature>executeBlocking(() -> {
      byte[] secret = vault.open(sealed, webhookId, KeyVault.WEBHOOK_SECRET_INFO);
      try {
        return StandardWebhookSignature.fromSecret(secret);
      } finally {
        Arrays.fill(secret, (byte) 0);
      }
    }, false).onSuccess(signer -> cache.put(webhookId, new Entry(ciphertext, signer)));
  }
}
