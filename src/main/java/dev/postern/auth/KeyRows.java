package dev.postern.auth;

import dev.postern.keys.KeyRepository;
import dev.postern.keys.StoredKey;
import io.vertx.core.Future;
import java.util.Optional;
import java.util.UUID;

/** Where {@link KeyAuthenticator} reads key rows: {@link KeyRepository} (PostgreSQL). */
public interface KeyRows {

  Future<Optional<StoredKey>> findByLookupPrefix(String lookupPrefix);

  Future<Optional<StoredKey>> find(UUID id);

  static KeyRows of(KeyRepository repository) {
    return new KeyRows() {
      @Override
      public Future<Optional<StoredKey>> findByLookupPrefix(String lookupPrefix) {
        return repository.findByLookupPrefix(lookupPrefix);
      }

      @Override
      public Future<Optional<StoredKey>> find(UUID id) {
        return repository.find(id);
      }
    };
  }
}
