package dev.postern.db;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

/**
 * Coalesces concurrent writes, from any thread or event loop, into one statement (so one
 * round trip and one commit) per batch: group commit in the gateway (issue #11).
 *
 * <p>When a batch goes: at once while fewer than {@code maxInFlight} batches are running and the
 * last batch held a single item (a lone request is never delayed); after at most
 * {@code maxWait} when the last batch was shared, to gather its likely siblings (PostgreSQL's
 * {@code commit_delay}/{@code commit_siblings} idea); when {@code maxInFlight} batches are
 * running, the next collects until one of them returns, and then goes at once (its items have
 * gathered for a whole batch's time already: waiting {@code maxWait} more would only leave the
 * database idle); and at once whenever it reaches {@code maxRows} rows or {@code maxBytes}. A
 * returning batch starts the next one before it answers its own items.
 *
 * <p>Each item's future completes, on its caller's context, only after its batch's statement
 * succeeded. When PostgreSQL refuses a batch (a statement error: nothing of it was committed),
 * each item is retried alone, so only a guilty one fails; when the connection fails (the outcome
 * is unknown), every item fails with that error.
 *
 * @param <T> an item (which may stand for several rows that must commit together)
 * @param <R> what the statement reports per item
 */
public final class Batcher<T, R> {

  /** The bounds of a batch and of the waiting. */
  public record Settings(int maxRows, long maxBytes, Duration maxWait, int maxInFlight) {
    public Settings {
      maxRows = Math.max(1, maxRows);
      maxBytes = Math.max(1, maxBytes);
      maxInFlight = Math.max(1, maxInFlight);
    }

    /** No coalescing: every item runs by itself, at once. */
    public static Settings alone() {
      return new Settings(1, 1, Duration.ZERO, Integer.MAX_VALUE);
    }
  }

  /** One statement for a whole batch. */
  @FunctionalInterface
  public interface Statement<T, R> {
    /** @return one result per item, in the batch's order */
    Future<List<R>> execute(List<T> batch);
  }

  private record Item<T, R>(T value, int rows, long bytes, Promise<R> done, Context context) {}

  private final Vertx vertx;
  private final Settings settings;
  private final ToIntFunction<T> rows;
  private final ToLongFunction<T> bytes;
  private final Statement<T, R> statement;
  // Guarded by this:
  private final List<Item<T, R>> pending = new ArrayList<>();
  private int pendingRows;
  private long pendingBytes;
  private int inFlight;
  private boolean lastBatchShared;
  /** The pending items began gathering while {@code maxInFlight} batches ran. */
  private boolean gatheredDuringFlight;
  private long timer = -1;

  /**
   * @param vertx for the gathering timer (may be null when {@code maxWait} is zero)
   * @param rows how many rows an item counts for against {@code maxRows}
   * @param bytes roughly how many bytes an item writes, against {@code maxBytes}
   */
  public Batcher(Vertx vertx, Settings settings, ToIntFunction<T> rows, ToLongFunction<T> bytes,
      Statement<T, R> statement) {
    this.vertx = vertx;
    this.settings = settings;
    this.rows = rows;
    this.bytes = bytes;
    this.statement = statement;
  }

  /** Runs the item in a batch with whatever else is submitted now. Never throws. */
  public Future<R> submit(T value) {
    Promise<R> done = Promise.promise();
    Item<T, R> item = new Item<>(value, rows.applyAsInt(value), bytes.applyAsLong(value), done,
        Vertx.currentContext());
    List<List<Item<T, R>>> ready;
    synchronized (this) {
      if (pending.isEmpty()) {
        gatheredDuringFlight = inFlight >= settings.maxInFlight();
      }
      pending.add(item);
      pendingRows += item.rows();
      pendingBytes += item.bytes();
      ready = takeReady(false);
    }
    ready.forEach(this::run);
    return done.future();
  }

  /** The batches to start now. @param timerFired the gathering wait is over */
  private List<List<Item<T, R>>> takeReady(boolean timerFired) {
    List<List<Item<T, R>>> ready = new ArrayList<>();
    while (!pending.isEmpty()) {
      boolean full = pendingRows >= settings.maxRows() || pendingBytes >= settings.maxBytes();
      if (!full && inFlight >= settings.maxInFlight()) {
        break; // collect until a batch in flight returns
      }
      if (!full && !timerFired && lastBatchShared && !gatheredDuringFlight
          && !settings.maxWait().isZero()) {
        if (timer < 0) {
          timer = vertx.setTimer(Math.max(1, settings.maxWait().toMillis()), t -> timerFired());
        }
        break; // siblings are likely: gather them for up to maxWait
      }
      ready.add(takeBatch());
      inFlight++;
    }
    if (pending.isEmpty() && timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    return ready;
  }

  private void timerFired() {
    List<List<Item<T, R>>> ready;
    synchronized (this) {
      timer = -1;
      ready = takeReady(true);
    }
    ready.forEach(this::run);
  }

  /** Items in order, up to the bounds (at least one). */
  private List<Item<T, R>> takeBatch() {
    List<Item<T, R>> batch = new ArrayList<>();
    int batchRows = 0;
    long batchBytes = 0;
    while (!pending.isEmpty()) {
      Item<T, R> next = pending.get(0);
      if (!batch.isEmpty() && (batchRows + next.rows() > settings.maxRows()
          || batchBytes + next.bytes() > settings.maxBytes())) {
        break;
      }
      pending.remove(0);
      batch.add(next);
      batchRows += next.rows();
      batchBytes += next.bytes();
    }
    pendingRows -= batchRows;
    pendingBytes -= batchBytes;
    lastBatchShared = batch.size() > 1;
    return batch;
  }

  private void run(List<Item<T, R>> batch) {
    execute(batch).onComplete(ar -> {
      // The next batch first: the database works on it while this one's items are answered.
      List<List<Item<T, R>>> ready;
      synchronized (this) {
        inFlight--;
        ready = takeReady(false);
      }
      ready.forEach(this::run);
      if (ar.succeeded()) {
        for (int i = 0; i < batch.size(); i++) {
          complete(batch.get(i), ar.result().get(i), null);
        }
      } else if (batch.size() > 1 && ar.cause() instanceof PgException) {
        // Refused by PostgreSQL, so nothing of the batch committed: find the guilty item(s).
        batch.forEach(item -> execute(List.of(item))
            .onComplete(one -> complete(item, one.succeeded() ? one.result().get(0) : null, one.cause())));
      } else {
        batch.forEach(item -> complete(item, null, ar.cause()));
      }
    });
  }

  private Future<List<R>> execute(List<Item<T, R>> batch) {
    try {
      return statement.execute(batch.stream().map(Item::value).toList());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** Completes on the item's own context, so its continuation runs where it began. */
  private static <T, R> void complete(Item<T, R> item, R result, Throwable failure) {
    Runnable done = () -> {
      if (failure == null) {
        item.done().complete(result);
      } else {
        item.done().fail(failure);
      }
    };
    if (item.context() == null || item.context() == Vertx.currentContext()) {
      done.run();
    } else {
      item.context().runOnContext(v -> done.run());
    }
  }
}
