package dev.postern.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.Eventually;
import dev.postern.support.PgFixture;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link CoalescedNotify} on real PostgreSQL, heard through {@link PgSignals}: the first ring
 * after a quiet interval is sent at once (issue #14: an isolated MX commit waited the whole
 * interval before filing was woken), and a burst within the interval costs one more NOTIFY.
 */
class CoalescedNotifyIT {

  /** Far longer than the waits for "at once", so a NOTIFY held for the interval fails them. */
  private static final long INTERVAL_MILLIS = 8_000;
  private static final String CHANNEL = "coalesced_test";

  private Vertx vertx;
  private Pool pool;
  private PgSignals signals;
  private final List<String> heard = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    String url = PgFixture.freshDatabaseUrl();
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(url).using(vertx)
        .build();
    List<Boolean> subscribed = new CopyOnWriteArrayList<>();
    signals = new PgSignals(vertx, PgConnectOptions.fromUri(url))
        .listen(CHANNEL, heard::add, v -> subscribed.add(true));
    signals.connect().await();
    Eventually.until(Duration.ofSeconds(10), () -> !subscribed.isEmpty(), () -> "LISTEN subscribed");
  }

  @AfterEach
  void tearDown() {
    signals.close().await();
    pool.close().await();
    vertx.close().await();
  }

  @Test
  void theFirstRingIsSentAtOnceAndABurstWithinTheIntervalCostsOneMore() {
    CoalescedNotify notify = new CoalescedNotify(vertx, pool, CHANNEL, INTERVAL_MILLIS);
    long rang = System.nanoTime();
    notify.ring();
    Eventually.until(Duration.ofSeconds(4), () -> heard.size() == 1,
        () -> "the first ring's NOTIFY, heard " + heard.size());
    assertThat(Duration.ofNanos(System.nanoTime() - rang)).isLessThan(Duration.ofMillis(INTERVAL_MILLIS));

    for (int i = 0; i < 50; i++) {
      notify.ring();
    }
    // The window the first NOTIFY opened closes with one NOTIFY for all fifty rings.
    Eventually.until(Duration.ofMillis(INTERVAL_MILLIS * 3), () -> heard.size() >= 2,
        () -> "the burst's NOTIFY, heard " + heard.size());
    // A marker sent now arrives after anything sent before it: then exactly two were sent.
    pool.query("SELECT pg_notify('" + CHANNEL + "', 'marker')").execute().await();
    Eventually.until(Duration.ofSeconds(10), () -> heard.contains("marker"), () -> "the marker");
    assertThat(heard).containsExactly("", "", "marker");
  }
}
