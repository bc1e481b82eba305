package dev.postern.db;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code pg_notify(channel, '')} per coalescing interval, however often {@link #ring} is
 * called: wakes the other nodes' listeners ({@link PgSignals}) after rows they should look at
 * were committed. Sent as its own statement after the commit, never inside the transaction:
 * PostgreSQL serialises the commits of all transactions that issued a NOTIFY on one global lock
 * held across the WAL flush, which turns group commit off (measured in issue #11: ~400 accepts/s
 * instead of thousands). The rows are durable before the NOTIFY, so a woken node always finds
 * them; a lost NOTIFY only delays to the listener's backstop poll.
 */
public final class CoalescedNotify {

  private static final Logger log = LoggerFactory.getLogger(CoalescedNotify.class);
  private static final Pattern CHANNEL = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private final Vertx vertx;
  private final Pool pool;
  private final String channel;
  private final String notify;
  private final long coalesceMillis;
  private final AtomicBoolean pending = new AtomicBoolean();

  /** @param channel a plain lower-case identifier (it is written into the statement) */
  public CoalescedNotify(Vertx vertx, Pool pool, String channel, long coalesceMillis) {
    if (!CHANNEL.matcher(channel).matches()) {
      throw new IllegalArgumentException("not a plain channel name: " + channel);
    }
    this.vertx = vertx;
    this.pool = pool;
    this.channel = channel;
    this.notify = "SELECT pg_notify('" + channel + "', '')";
    this.coalesceMillis = coalesceMillis;
  }

  /** Called after a commit. Never blocks, never fails the caller. */
  public void ring() {
    if (pending.compareAndSet(false, true)) {
      vertx.setTimer(coalesceMillis, timer -> {
        pending.set(false);
        pool.query(notify).execute()
            .onFailure(e -> log.debug("NOTIFY {} not sent ({}); other nodes poll", channel,
                e.getMessage()));
      });
    }
  }
}
