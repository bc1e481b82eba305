package dev.postern.db;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgChannel;
import io.vertx.pgclient.pubsub.PgSubscriber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cross-node signals over PostgreSQL LISTEN/NOTIFY (SPEC §1): key revoked, queue wake-up, new
 * inbound mail. One dedicated connection per node, reconnected forever with a short back-off.
 * Notifications sent while it was disconnected are lost, so each listener also gets a
 * "(re)subscribed" callback to resynchronise (e.g. drop a whole cache).
 */
public final class PgSignals {

  private static final Logger log = LoggerFactory.getLogger(PgSignals.class);

  private final PgSubscriber subscriber;
  private volatile boolean closing;

  public PgSignals(Vertx vertx, PgConnectOptions options) {
    this.subscriber = PgSubscriber.subscriber(vertx, options)
        .reconnectPolicy(attempt -> Math.min(2_000L, 100L * (attempt + 1)));
    subscriber.closeHandler(v -> {
      if (!closing) {
        log.warn("LISTEN connection closed; reconnecting");
      }
    });
  }

  /**
   * @param onMessage called with each payload on this channel
   * @param onSubscribed called each time the channel is (re)subscribed, including the first time
   */
  public PgSignals listen(String channel, Handler<String> onMessage, Handler<Void> onSubscribed) {
    PgChannel pgChannel = subscriber.channel(channel);
    pgChannel.subscribeHandler(onSubscribed);
    pgChannel.handler(onMessage);
    return this;
  }

  public Future<Void> connect() {
    return subscriber.connect();
  }

  public Future<Void> close() {
    closing = true;
    return subscriber.close();
  }
}
