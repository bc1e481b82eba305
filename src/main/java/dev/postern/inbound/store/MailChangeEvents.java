package dev.postern.inbound.store;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells readers (the live stream, later IMAP IDLE) that a mailbox changed, after the change
 * committed: on this node at once on the event bus ({@link #ADDRESS}, JSON
 * {@code {mailbox_id, seq, kind, message_id}}), on every node through one
 * {@code pg_notify(CHANNEL, '<mailbox uuid>')} per changed mailbox per coalescing interval,
 * which each node turns into a bus message {@code {mailbox_id}} ({@link #relay}).
 *
 * <p>Bus messages are hints, not the record: a reader keeps the last change seq it handled and
 * reads {@code MailStore.changesSince} on any hint, which is gap-free and in order. Never inside
 * the changing transaction: a NOTIFY there serialises every commit on one global lock (see
 * {@code queue/QueueWakeups}); a lost NOTIFY only delays a remote reader to its next hint.
 */
public final class MailChangeEvents {

  /** Event-bus address of mailbox changes (local publish; remote ones relayed). */
  public static final String ADDRESS = "postern.mail.changes";
  /** LISTEN/NOTIFY channel; the payload is the mailbox id. */
  public static final String CHANNEL = "postern_mail";

  private static final Logger log = LoggerFactory.getLogger(MailChangeEvents.class);
  private static final String NOTIFY =
      "SELECT pg_notify('" + CHANNEL + "', m) FROM unnest($1::text[]) AS m";

  private final Vertx vertx;
  private final Pool pool;
  private final long coalesceMillis;
  private final Set<String> changed = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean scheduled = new AtomicBoolean();

  public MailChangeEvents(Vertx vertx, Pool pool, long coalesceMillis) {
    this.vertx = vertx;
    this.pool = pool;
    this.coalesceMillis = coalesceMillis;
  }

  /** Called after the change committed. Never blocks, never fails the caller. */
  public void announce(MailChange change) {
    vertx.eventBus().publish(ADDRESS, new JsonObject()
        .put("mailbox_id", change.mailboxId().toString())
        .put("seq", change.seq())
        .put("kind", change.kind().wire())
        .put("message_id", change.messageId().toString()));
    changed.add(change.mailboxId().toString());
    if (scheduled.compareAndSet(false, true)) {
      vertx.setTimer(coalesceMillis, t -> flush());
    }
  }

  /** A NOTIFY from any node (this one included): a hint on the local bus. */
  public void relay(String mailboxId) {
    try {
      UUID.fromString(mailboxId);
    } catch (IllegalArgumentException e) {
      return;
    }
    vertx.eventBus().publish(ADDRESS, new JsonObject().put("mailbox_id", mailboxId));
  }

  private void flush() {
    scheduled.set(false);
    List<String> ids = List.copyOf(changed);
    changed.removeAll(ids);
    if (ids.isEmpty()) {
      return;
    }
    pool.preparedQuery(NOTIFY).execute(Tuple.tuple().addValue(ids.toArray(String[]::new)))
        .onFailure(e -> log.debug("mail NOTIFY not sent ({}); other nodes see it on their next hint",
            e.getMessage()));
  }
}
