package dev.postern.send;

import dev.postern.blob.BlobInfo;
import dev.postern.blob.BlobStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes MIME blobs that no message row references: outbound ({@code out/}, rows of
 * {@code outbound_messages}) and received by the MX ({@code in/yyyy/MM/dd/}, rows of
 * {@code inbound_raw}). They arise when the blob was stored
 * but its row never committed: the submission fails or loses an idempotency race (both also clean
 * up at once), or the node dies in between (only this sweep finds those). Blobs are written under
 * {@code out/yyyy/MM/dd/}, so the sweep lists today's and yesterday's prefixes and only touches
 * blobs older than {@code minAge}, long past any commit still in flight. Safe on every node at
 * once: a delete of an already deleted blob is harmless.
 */
public final class OrphanBlobSweeper {

  private static final Logger log = LoggerFactory.getLogger(OrphanBlobSweeper.class);
  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC);
  private static final int MAX_PER_DAY = 50_000;

  private final Vertx vertx;
  private final BlobStore blobs;
  private final Pool pool;
  private final Clock clock;
  private final Duration minAge;
  private long timer = -1;

  public OrphanBlobSweeper(Vertx vertx, BlobStore blobs, Pool pool, Clock clock, Duration minAge) {
    this.vertx = vertx;
    this.blobs = blobs;
    this.pool = pool;
    this.clock = clock;
    this.minAge = minAge;
  }

  public void start(Duration interval) {
    timer = vertx.setPeriodic(interval.toMillis(), id -> sweep()
        .onSuccess(n -> {
          if (n > 0) {
            log.info("deleted {} orphaned message blobs", n);
          }
        })
        .onFailure(e -> log.warn("orphaned blob sweep failed: {}", e.getMessage())));
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** One pass; completes with the number of blobs deleted. */
  public Future<Integer> sweep() {
    Instant now = clock.instant();
    Instant cutoff = now.minus(minAge);
    Future<Integer> total = Future.succeededFuture(0);
    // Outbound MIME, and received MIME (the MX's in/yyyy/MM/dd/, never in/att/).
    for (String[] kind : new String[][] {{"out/", "outbound_messages"}, {"in/", "inbound_raw"}}) {
      for (Instant day : List.of(now.minus(Duration.ofDays(1)), now)) {
        String prefix = kind[0] + DAY.format(day) + "/";
        total = total.compose(sum -> blobs.list(prefix, MAX_PER_DAY)
            .compose(found -> deleteUnreferenced(kind[1], found.stream()
                .filter(b -> b.lastModified().isBefore(cutoff)).map(BlobInfo::key).toList()))
            .map(deleted -> sum + deleted));
      }
    }
    return total;
  }

  /** @param table {@code outbound_messages} or {@code inbound_raw}: a constant, never input */
  private Future<Integer> deleteUnreferenced(String table, List<String> candidates) {
    if (candidates.isEmpty()) {
      return Future.succeededFuture(0);
    }
    return pool.preparedQuery("SELECT blob_key FROM " + table + " WHERE blob_key = ANY($1)")
        .execute(Tuple.of(candidates.toArray(String[]::new)))
        .compose(rows -> {
          Set<String> referenced = new HashSet<>();
          rows.forEach(row -> referenced.add(row.getString(0)));
          List<Future<Boolean>> deletes = new ArrayList<>();
          for (String key : candidates) {
            if (!referenced.contains(key)) {
              deletes.add(blobs.delete(key));
            }
          }
          return Future.all(deletes).map(v -> deletes.size());
        });
  }
}
