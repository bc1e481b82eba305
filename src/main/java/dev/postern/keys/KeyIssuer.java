package dev.postern.keys;

import dev.postern.keys.KeyRepository.NewKey;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Issues, rotates and reveals API keys (re-encryption of every sealed value: {@link SealedRows}). Sealing and opening (HKDF + AES-GCM) run on
 * the CPU worker, never on an event loop. The plaintext leaves only in the result of create,
 * rotate and reveal — the admin API shows it once and nothing logs it.
 */
public final class KeyIssuer {

  /** A key and its plaintext, for the one response that shows it. */
  public record Issued(StoredKey key, String plaintext) {
    @Override
    public String toString() {
      return "Issued[" + key + "]";
    }
  }

  /** What an admin asked for; exactly one of mailboxId / domainId. */
  public record Request(String name, KeyMode mode, List<String> scopes, UUID mailboxId,
      UUID domainId, int rateLimitPerHour, Instant expiresAt) {}

  private final KeyFormat format;
  private final KeyRepository keys;
  private final KeyVault vault;
  private final WorkerExecutor cpu;
  private final java.util.function.Consumer<String> changed;

  /**
   * @param changed called with a key's lookup prefix once its creation, revocation or rotation committed:
   *     this node drops its cached copy at once (other nodes hear the NOTIFY, within a second)
   */
  public KeyIssuer(KeyFormat format, KeyRepository keys, KeyVault vault, WorkerExecutor cpu,
      java.util.function.Consumer<String> changed) {
    this.format = format;
    this.keys = keys;
    this.vault = vault;
    this.cpu = cpu;
    this.changed = changed;
  }

  /** Revokes a key (idempotent); empty if there is no such key. */
  public Future<Optional<StoredKey>> revoke(UUID id) {
    return keys.revoke(id).onSuccess(found -> found.ifPresent(k -> changed.accept(k.lookupPrefix())));
  }

  public Future<Issued> create(Request request) {
    UUID id = UUID.randomUUID();
    return generate(id, request.mode()).compose(generated -> keys.insert(new NewKey(id,
            request.name(), request.mode(), generated.secret().lookupPrefix(), generated.sealed(),
            request.scopes(), request.mailboxId(), request.domainId(), request.rateLimitPerHour(),
            request.expiresAt(), null))
        .map(stored -> new Issued(stored, generated.secret().plaintext())))
        // A made-up key with this prefix may have been tried, and negatively cached, before.
        .onSuccess(issued -> changed.accept(issued.key().lookupPrefix()));
  }

  /** A new value with the old key's settings; the old key is revoked in the same transaction. */
  public Future<Optional<Issued>> rotate(UUID oldId) {
    return keys.find(oldId).compose(old -> {
      if (old.isEmpty() || old.get().revokedAt() != null) {
        return Future.succeededFuture(Optional.empty());
      }
      UUID id = UUID.randomUUID();
      return generate(id, old.get().mode()).compose(generated -> keys.rotate(oldId, o -> new NewKey(
              id, o.name(), o.mode(), generated.secret().lookupPrefix(), generated.sealed(),
              o.scopes(), o.mailboxBound() ? o.mailboxId() : null, o.mailboxBound() ? null : o.domainId(),
              o.rateLimitPerHour(), o.expiresAt(), o.id()))
          .map(stored -> stored.map(s -> new Issued(s, generated.secret().plaintext())))
          .onSuccess(issued -> issued.ifPresent(i -> changed.accept(old.get().lookupPrefix()))));
    });
  }

  /** The plaintext of an existing key, decrypted on the worker. */
  public Future<Optional<String>> reveal(UUID id) {
    return keys.find(id).compose(found -> found.isEmpty() ? Future.succeededFuture(Optional.empty())
        : cpu.executeBlocking(() -> Optional.of(new String(
            vault.open(found.get().sealed(), id, KeyVault.API_KEY_INFO), StandardCharsets.US_ASCII)), false));
  }

  private record Generated(ApiKeySecret secret, Sealed sealed) {}

  private Future<Generated> generate(UUID id, KeyMode mode) {
    return cpu.executeBlocking(() -> {
      ApiKeySecret secret = format.generate(mode);
      return new Generated(secret, vault.seal(secret.plaintextBytes(), id, KeyVault.API_KEY_INFO));
    }, false);
  }
}
