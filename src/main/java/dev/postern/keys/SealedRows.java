package dev.postern.keys;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The sealed values of every {@link SealedColumn}, as a whole: which master versions they need
 * (checked at start-up, so that removing a version still in use fails loudly instead of, say,
 * sending mail unsigned) and re-encryption under the current version after a rotation.
 * Opening and sealing run on the CPU worker, never on an event loop.
 */
public final class SealedRows {

  /** Rows read, resealed and written per round trip. */
  static final int BATCH = 100;

  /** Rows of one column sealed under a master version that is not configured. */
  public record MissingVersion(SealedColumn column, int version, long rows) {}

  private final Pool pool;
  private final KeyVault vault;
  private final WorkerExecutor cpu;

  public SealedRows(Pool pool, KeyVault vault, WorkerExecutor cpu) {
    this.pool = pool;
    this.vault = vault;
    this.cpu = cpu;
  }

  /** The first column (in {@link SealedColumn} order) holding rows no configured version opens. */
  public Future<Optional<MissingVersion>> missingVersion() {
    Future<Optional<MissingVersion>> chain = Future.succeededFuture(Optional.empty());
    for (SealedColumn column : SealedColumn.values()) {
      chain = chain.compose(found -> found.isPresent() ? Future.succeededFuture(found)
          : pool.query("SELECT master_version, count(*) FROM " + column.table()
                  + " GROUP BY master_version ORDER BY master_version").execute()
              .map(rows -> {
                for (Row row : rows) {
                  int version = row.getInteger(0);
                  if (!vault.masters().has(version)) {
                    return Optional.of(new MissingVersion(column, version, row.getLong(1)));
                  }
                }
                return Optional.empty();
              }));
    }
    return chain;
  }

  /**
   * Re-encrypts every sealed value not yet under the current master version, column by column,
   * {@value #BATCH} rows at a time. A row changed meanwhile (say, resealed by another node) is
   * left as it is. Completes with the number re-encrypted per column.
   *
   * @throws VaultException (failing the future) if a value does not open
   */
  public Future<Map<SealedColumn, Integer>> resealAll() {
    Map<SealedColumn, Integer> counts = new EnumMap<>(SealedColumn.class);
    Future<Void> chain = Future.succeededFuture();
    for (SealedColumn column : SealedColumn.values()) {
      chain = chain.compose(v -> resealFrom(column, null, 0)
          .onSuccess(n -> counts.put(column, n)).mapEmpty());
    }
    return chain.map(v -> counts);
  }

  private record Stale(UUID id, Sealed sealed) {}

  /** Keyset pagination by id, so a row that could not be updated is not read again. */
  private Future<Integer> resealFrom(SealedColumn column, UUID after, int done) {
    int current = vault.masters().currentVersion();
    return pool.preparedQuery("SELECT id, " + column.sealed() + ", " + column.salt()
            + ", master_version FROM " + column.table()
            + " WHERE master_version <> $1 AND ($2::uuid IS NULL OR id > $2) ORDER BY id LIMIT "
            + BATCH)
        .execute(Tuple.of(current, after))
        .compose(rows -> {
          List<Stale> stale = new ArrayList<>();
          for (Row row : rows) {
            stale.add(new Stale(row.getUUID(0), new Sealed(row.getBuffer(2).getBytes(),
                row.getBuffer(1).getBytes(), row.getInteger(3))));
          }
          if (stale.isEmpty()) {
            return Future.succeededFuture(done);
          }
          return cpu.executeBlocking(() -> stale.stream()
                  .map(s -> update(s, vault.reseal(s.sealed(), s.id(), column.info()))).toList(),
                  false)
              .compose(updates -> pool.preparedQuery("UPDATE " + column.table() + " SET "
                      + column.sealed() + " = $2, " + column.salt()
                      + " = $3, master_version = $4 WHERE id = $1 AND master_version = $5")
                  .executeBatch(updates))
              .compose(result -> {
                int updated = 0;
                for (var r = result; r != null; r = r.next()) {
                  updated += r.rowCount();
                }
                int total = done + updated;
                return stale.size() < BATCH ? Future.succeededFuture(total)
                    : resealFrom(column, stale.get(stale.size() - 1).id(), total);
              });
        });
  }

  private static Tuple update(Stale old, Sealed fresh) {
    return Tuple.of(old.id(), Buffer.buffer(fresh.ciphertext()), Buffer.buffer(fresh.salt()),
        fresh.masterVersion(), old.sealed().masterVersion());
  }
}
