package dev.postern.inbound.inbox;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's feed of committed mailbox changes for its live streams (issue #14 item 5).
 *
 * <p>Gap-free by construction: every subscriber has the sequence number of the last change it
 * got, and a wake-up (the store's event-bus message on this node, a {@code postern_mail} NOTIFY
 * from another, a periodic sweep) only makes the feed read {@code mail_changes} after it. The
 * store takes a change's sequence number under the mailbox row's lock, held until commit, so
 * changes become visible in sequence order (V005): reading {@code seq > n} never skips one that
 * commits later. A subscriber registers first and is read for at once, so a change committed
 * between its start and its first read is neither missed nor repeated (each subscriber's
 * sequence only moves forward).
 *
 * <p>One read per mailbox serves all of this node's subscribers to it (a thousand streams of one
 * mailbox cost one query per change). A subscriber that is not {@linkplain Subscriber#ready()
 * ready} (its client is slow) is skipped, not buffered for; its stream wakes the feed on drain or
 * cuts the client off. A ready one takes only what its bound allows of a page
 * ({@link Subscriber#deliver} says how many), so a slow client never holds a whole page of up to
 * {@value #PAGE} events beyond its bound; the rest is read again for it when it resumes.
 *
 * <p>A subscription has at most one hand-over in flight: from dispatch until its subscriber's
 * count is back on the feed's context, reads skip it (and remember that they did). Its
 * {@code lastSeq} moves only when the count is back. Were it moved at dispatch and given back
 * later, a write that completes inside {@code deliver} would resume the stream, and the read
 * that wake-up starts could overtake the give-back: changes out of order, then repeated.
 *
 * <p>All state lives on one Vert.x context (the one {@link #start} runs on); deliveries run on
 * each subscriber's own context.
 */
public final class MailChangeFeed {

  private static final Logger log = LoggerFactory.getLogger(MailChangeFeed.class);
  static final int PAGE = 500;

  /** A live stream's end of the feed. Called on the subscriber's context. */
  public interface Subscriber {
    /** Whether the client keeps up (its write queue is not full). */
    boolean ready();

    /**
     * Changes after the last one it took, in sequence order, never repeated. It takes a prefix,
     * as much as its bound allows (at least one when ready), and returns how many it took; the
     * rest is offered again after it {@linkplain Subscription#resume resumes}.
     */
    int deliver(List<MailChange> changes);
  }

  /** A registration; {@link #close} it when the stream ends. */
  public final class Subscription {
    private final UUID mailboxId;
    private final Subscriber subscriber;
    private final Context context;
    /** The last change it took; on the feed's context only. */
    private long lastSeq;
    /** A hand-over is with the subscriber; on the feed's context only. */
    private boolean inFlight;
    /** A read skipped it while in flight; on the feed's context only. */
    private boolean wakeMissed;
    private volatile boolean ready = true;
    private volatile boolean closed;

    private Subscription(UUID mailboxId, long afterSeq, Subscriber subscriber, Context context) {
      this.mailboxId = mailboxId;
      this.lastSeq = afterSeq;
      this.subscriber = subscriber;
      this.context = context;
    }

    public void close() {
      home.runOnContext(v -> {
        closed = true;
        MailboxState state = mailboxes.get(mailboxId);
        if (state != null && state.subscriptions.remove(this) && state.subscriptions.isEmpty()) {
          mailboxes.remove(mailboxId);
        }
      });
    }

    /** The client drained: read what it missed while it was skipped. */
    public void resume() {
      ready = true;
      wake(mailboxId);
    }
  }

  private static final class MailboxState {
    final Set<Subscription> subscriptions = new LinkedHashSet<>();
    boolean reading;
    boolean again;
  }

  private final Vertx vertx;
  private final Pool pool;
  private final Map<UUID, MailboxState> mailboxes = new HashMap<>();
  private volatile Context home;
  private MessageConsumer<Object> consumer;

  public MailChangeFeed(Vertx vertx, Pool pool) {
    this.vertx = vertx;
    this.pool = pool;
  }

  /**
   * Listens on this node's event bus; call on the context that will own the feed.
   *
   * @param sweepMillis how often every watched mailbox is read anyway (a NOTIFY lost while the
   *     LISTEN connection was down costs at most this long)
   */
  public Future<Void> start(long sweepMillis) {
    home = vertx.getOrCreateContext();
    consumer = vertx.eventBus().localConsumer(MailChange.BUS_ADDRESS, message -> {
      Object body = message.body();
      JsonObject json = body instanceof JsonObject j ? j
          : body instanceof String s ? new JsonObject(s) : null;
      UUID mailbox = json == null ? null : InboxQueries.uuidOrNull(json.getString("mailbox_id"));
      if (mailbox != null) {
        wake(mailbox);
      }
    });
    vertx.setPeriodic(sweepMillis, id -> wakeAll());
    return consumer.completion();
  }

  public Future<Void> stop() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  /**
   * Registers a subscriber of a mailbox that has seen every change up to {@code afterSeq}; it is
   * read for at once. Call on the subscriber's context.
   */
  public Subscription subscribe(UUID mailboxId, long afterSeq, Subscriber subscriber) {
    Subscription subscription = new Subscription(mailboxId, afterSeq, subscriber,
        vertx.getOrCreateContext());
    home.runOnContext(v -> {
      mailboxes.computeIfAbsent(mailboxId, id -> new MailboxState()).subscriptions.add(subscription);
      read(mailboxId);
    });
    return subscription;
  }

  /** A mailbox changed (any thread): read its new changes for its subscribers here. */
  public void wake(UUID mailboxId) {
    Context context = home;
    if (context != null) {
      context.runOnContext(v -> read(mailboxId));
    }
  }

  /** A {@code postern_mail} NOTIFY: its payload is the mailbox id. */
  public void wakeNotified(String payload) {
    UUID mailboxId = InboxQueries.uuidOrNull(payload == null ? null : payload.trim());
    if (mailboxId != null) {
      wake(mailboxId);
    }
  }

  /** Reads every watched mailbox (after a reconnect of the NOTIFY listener, and periodically). */
  public void wakeAll() {
    Context context = home;
    if (context != null) {
      context.runOnContext(v -> List.copyOf(mailboxes.keySet()).forEach(this::read));
    }
  }

  private void read(UUID mailboxId) {
    MailboxState state = mailboxes.get(mailboxId);
    if (state == null) {
      return;
    }
    if (state.reading) {
      state.again = true;
      return;
    }
    List<Subscription> ready = new ArrayList<>();
    for (Subscription s : state.subscriptions) {
      if (s.inFlight) {
        s.wakeMissed = true;
      } else if (s.ready && !s.closed) {
        ready.add(s);
      }
    }
    if (ready.isEmpty()) {
      return;
    }
    long from = ready.stream().mapToLong(s -> s.lastSeq).min().orElseThrow();
    state.reading = true;
    state.again = false;
    changesAfter(mailboxId, from).onComplete(result -> {
      state.reading = false;
      if (result.failed()) {
        log.warn("reading changes of mailbox {} failed: {}", mailboxId, result.cause().toString());
        return;
      }
      List<MailChange> changes = result.result();
      // One task per event loop, not per subscriber: a thousand streams of one mailbox live on
      // a few loops, and each loop writes the same encoded event to all of its streams.
      Map<Context, List<Runnable>> byContext = new LinkedHashMap<>();
      for (Subscription s : ready) {
        if (s.closed) {
          continue;
        }
        List<MailChange> mine = after(changes, s.lastSeq);
        if (!mine.isEmpty()) {
          s.inFlight = true;
          byContext.computeIfAbsent(s.context, c -> new ArrayList<>()).add(() -> handOver(s, mine));
        }
      }
      byContext.forEach((context, deliveries) ->
          context.runOnContext(v -> deliveries.forEach(Runnable::run)));
      if (state.again || changes.size() == PAGE) {
        // A full page may have more behind it; subscribers that filled up meanwhile are skipped.
        home.runOnContext(v -> read(mailboxId));
      }
    });
  }

  /** On the subscriber's context: it takes what it can; the count goes back to the feed's. */
  private void handOver(Subscription s, List<MailChange> changes) {
    int taken = 0;
    if (!s.closed) {
      try {
        taken = Math.max(0, Math.min(s.subscriber.deliver(changes), changes.size()));
      } catch (RuntimeException e) {
        log.warn("a live stream of mailbox {} failed to take changes: {}", s.mailboxId, e.toString());
      }
      s.ready = s.subscriber.ready();
    }
    long last = taken == 0 ? -1 : changes.get(taken - 1).seq();
    boolean rest = taken < changes.size();
    home.runOnContext(v -> taken(s, last, rest));
  }

  /**
   * On the feed's context: the subscription is out of flight at what it took. It is read for
   * again when it is ready and either left some of the page or a read skipped it meanwhile;
   * one that is not ready is read for when it resumes.
   */
  private void taken(Subscription s, long last, boolean rest) {
    s.lastSeq = Math.max(s.lastSeq, last);
    s.inFlight = false;
    boolean again = (rest || s.wakeMissed) && s.ready && !s.closed;
    s.wakeMissed = false;
    if (again) {
      read(s.mailboxId);
    }
  }

  /** The changes after {@code seq} (in sequence order): the read's own list when all are. */
  static List<MailChange> after(List<MailChange> changes, long seq) {
    if (changes.isEmpty() || changes.get(0).seq() > seq) {
      return changes;
    }
    return changes.stream().filter(c -> c.seq() > seq).toList();
  }

  private Future<List<MailChange>> changesAfter(UUID mailboxId, long seq) {
    return pool.preparedQuery("SELECT c.seq, c.kind, c.message_id AS change_message, c.folder AS change_folder, "
            + InboxQueries.SUMMARY_COLUMNS
            + " FROM mail_changes c LEFT JOIN mail_messages m ON m.id = c.message_id AND m.mailbox_id = c.mailbox_id"
            + " WHERE c.mailbox_id = $1 AND c.seq > $2 ORDER BY c.seq LIMIT $3")
        .execute(Tuple.of(mailboxId, seq, PAGE))
        .map(rows -> {
          List<MailChange> out = new ArrayList<>();
          for (Row row : rows) {
            out.add(new MailChange(mailboxId, row.getLong("seq"), row.getString("kind"),
                row.getUUID("change_message"), row.getString("change_folder"),
                row.getUUID("id") == null ? null : InboxQueries.summary(row)));
          }
          return List.copyOf(out);
        });
  }
}
