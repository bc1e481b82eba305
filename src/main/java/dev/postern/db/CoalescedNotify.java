package dev.postern.db;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At most one {@code pg_notify(channel, '')} per coalescing interval, however often {@link #ring}
 * is called: wakes the other nodes' listeners ({@link PgSignals}) after rows they should look at
 * were committed. Sent as its own statement after the commit, never inside the transaction:
 * PostgreSQL serialises the commits of all transactions that issued a NOTIFY on one global lock
 * held across the WAL flush, which turns group commit off (measured in issue #11: ~400 accepts/s
 * instead of thousands). The rows are durable before the NOTIFY, so a woken node always finds
 * them; a lost NOTIFY only delays to the listener's backstop poll.
 *
 * <p>Leading edge: a ring after a quiet interval is sent at once, and opens a window of the
 * interval; rings within the window are folded into one NOTIFY sent when it closes (which opens
 * the next window). An isolated commit so wakes its listener after one round trip rather than
 * after the interval (issue #14: the MX's 250 → filing → stream latency paid the whole 20 ms),
 * while a burst still costs at most one NOTIFY per interval.
 */
public final class CoalescedNotify {

  private static final Logger log = LoggerFactory.getLogger(CoalescedNotify.class);
  private static final Pattern CHANNEL = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private final Vertx vertx;
  private final Pool pool;
  private final String channel;
  private final String notify;
  private final long coalesceMillis;
  /** A NOTIFY went out less than the interval ago (guarded by this). */
  private boolean windowOpen;
  /** {@link #ring} was called while the window was open (guarded by this). */
  private boolean rangInWindow;

  /** @param channel a plain lower-case identifier (it is written into the statement) */
  public CoalescedNotify(Vertx vertx, Pool pool, String channel, long coalesceMillis) {
    if (!CHANNEL.matcher(channel).matches()) {
      throw new IllegalArgumentException("not a plain channel name: " + channel);
    }
    this.vertx = vertx;
    this.pool = pool;
    this.channel = channel;
    this.notify = "SELECT pg_notify('" + channel + "', '')";
    this.coalesceMillis = Math.max(1, coalesceMillis);
  }

  /** Called after a commit, from any thread. Never blocks, never fails the caller. */
  public void ring() {
    synchronized (this) {
      if (windowOpen) {
        rangInWindow = true;
        return;
      }
      windowOpen = true;
    }
    sendAndOpenWindow();
  }

  private void windowCloses() {
    synchronized (this) {
      if (!rangInWindow) {
        windowOpen = false;
        return;
      }
      rangInWindow = false;
    }
    sendAndOpenWindow();
  }

  private void sendAndOpenWindow() {
    vertx.setTimer(coalesceMillis, timer -> windowCloses());
    pool.query(notify).execute()
        .onFailure(e -> log.debug("NOTIFY {} not sent ({}); other nodes poll", channel,
            e.getMessage()));
  }
}
