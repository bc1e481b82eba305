package dev.postern.send;

import dev.postern.config.PosternConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Group commit of accepted mail (issue #11): concurrent accepts, from any event loop, coalesce
 * into one {@link OutboundInsert} statement and so ONE commit, instead of one WAL flush each.
 *
 * <p>When a batch goes: at once while fewer than {@code maxInFlight} batches are committing and
 * the last batch held a single member (a lone request is never delayed); after at most
 * {@code maxWait} when the last batch was shared, to gather its likely siblings (PostgreSQL's
 * {@code commit_delay}/{@code commit_siblings} idea); when {@code maxInFlight} batches are
 * committing, the next collects until one of them returns; and at once whenever it reaches
 * {@code maxMessages} or {@code maxBytes}.
 *
 * <p>A member is the messages of one submission: they commit together or not at all (a batch
 * send keeps its all-or-nothing meaning). Each member's future completes, on its caller's
 * context, only after its batch committed. When PostgreSQL refuses a batch (a statement error:
 * nothing of it was committed), each member is retried alone, so only the guilty one fails;
 * when the connection fails (the outcome is unknown), every member fails with that error.
 */
public final class GroupCommit {

  /** Mirrors {@link PosternConfig.GroupCommit}. */
  public record Settings(int maxMessages, long maxBytes, Duration maxWait, int maxInFlight) {
    public Settings {
      maxMessages = Math.max(1, maxMessages);
      maxBytes = Math.max(1, maxBytes);
      maxInFlight = Math.max(1, maxInFlight);
    }

    public static Settings of(PosternConfig.GroupCommit c) {
      return new Settings(c.maxMessages(), c.maxBytes(), c.maxWait(), c.maxInFlight());
    }

    /** No coalescing: every member commits by itself, at once (readers, tests). */
    public static Settings alone() {
      return new Settings(1, 1, Duration.ZERO, Integer.MAX_VALUE);
    }
  }

  private record Member(List<OutboundMessage> messages, long bytes, Promise<Void> done, Context context) {}

  private final Vertx vertx;
  private final Pool pool;
  private final OutboundInsert insert;
  private final Settings settings;
  // Guarded by this:
  private List<Member> pending = new ArrayList<>();
  private int pendingMessages;
  private long pendingBytes;
  private int inFlight;
  private boolean lastBatchShared;
  private long timer = -1;

  GroupCommit(Vertx vertx, Pool pool, OutboundInsert insert, Settings settings) {
    this.vertx = vertx;
    this.pool = pool;
    this.insert = insert;
    this.settings = settings;
  }

  /** Commits the messages together, in a batch with whatever else is being committed now. */
  public Future<Void> commit(List<OutboundMessage> messages) {
    Promise<Void> done = Promise.promise();
    long bytes = messages.stream().mapToLong(OutboundInsert::bytes).sum();
    Member member = new Member(messages, bytes, done, Vertx.currentContext());
    List<List<Member>> ready;
    synchronized (this) {
      pending.add(member);
      pendingMessages += messages.size();
      pendingBytes += bytes;
      ready = takeReady(false);
    }
    ready.forEach(this::run);
    return done.future();
  }

  /** The batches to start now. @param timerFired the gathering wait is over */
  private List<List<Member>> takeReady(boolean timerFired) {
    List<List<Member>> ready = new ArrayList<>();
    while (!pending.isEmpty()) {
      boolean full = pendingMessages >= settings.maxMessages() || pendingBytes >= settings.maxBytes();
      if (!full && inFlight >= settings.maxInFlight()) {
        break; // collect until a batch in flight returns
      }
      if (!full && !timerFired && lastBatchShared && !settings.maxWait().isZero()) {
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
    List<List<Member>> ready;
    synchronized (this) {
      timer = -1;
      ready = takeReady(true);
    }
    ready.forEach(this::run);
  }

  /** Members in order, up to the bounds (at least one). */
  private List<Member> takeBatch() {
    List<Member> batch = new ArrayList<>();
    int messages = 0;
    long bytes = 0;
    while (!pending.isEmpty()) {
      Member next = pending.get(0);
      if (!batch.isEmpty() && (messages + next.messages().size() > settings.maxMessages()
          || bytes + next.bytes() > settings.maxBytes())) {
        break;
      }
      pending.remove(0);
      batch.add(next);
      messages += next.messages().size();
      bytes += next.bytes();
    }
    pendingMessages -= messages;
    pendingBytes -= bytes;
    lastBatchShared = batch.size() > 1;
    return batch;
  }

  private void run(List<Member> batch) {
    List<OutboundMessage> all = new ArrayList<>();
    batch.forEach(m -> all.addAll(m.messages()));
    execute(all).onComplete(ar -> {
      if (ar.succeeded()) {
        batch.forEach(m -> complete(m, null));
      } else if (batch.size() > 1 && ar.cause() instanceof PgException) {
        // Refused by PostgreSQL, so nothing of the batch committed: find the guilty member(s).
        batch.forEach(m -> execute(m.messages()).onComplete(one -> complete(m, one.cause())));
      } else {
        batch.forEach(m -> complete(m, ar.cause()));
      }
      List<List<Member>> ready;
      synchronized (this) {
        inFlight--;
        ready = takeReady(false);
      }
      ready.forEach(this::run);
    });
  }

  /** One statement in autocommit: atomic, one round trip, one commit. */
  private Future<Void> execute(List<OutboundMessage> messages) {
    try {
      return pool.preparedQuery(insert.sql()).execute(insert.tuple(messages)).mapEmpty();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** Completes on the member's own context, so its continuation runs where it began. */
  private static void complete(Member m, Throwable failure) {
    Runnable done = () -> {
      if (failure == null) {
        m.done().complete();
      } else {
        m.done().fail(failure);
      }
    };
    if (m.context() == null || m.context() == Vertx.currentContext()) {
      done.run();
    } else {
      m.context().runOnContext(v -> done.run());
    }
  }
}
