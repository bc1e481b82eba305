package dev.postern.wiring;

import dev.postern.config.PosternConfig;
import dev.postern.inbound.filing.FilingSettings;
import dev.postern.inbound.filing.InboundFiling;
import dev.postern.inbound.filing.InboundWorkQueue;
import dev.postern.inbound.parse.MailParser;
import dev.postern.inbound.store.MailChangeEvents;
import dev.postern.inbound.store.MailStore;
import dev.postern.queue.Backoff;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receiving on every node (issue #13): the filing loop that turns accepted
 * deliveries into stored messages. NOTIFYs from any node become local event-bus messages: new
 * deliveries ({@code postern_inbound}) wake the filing loop; mailbox changes
 * ({@code postern_mail}) become hints on {@link MailChangeEvents#ADDRESS} for the readers.
 */
public final class InboundModule implements Feature {

  private static final Logger log = LoggerFactory.getLogger(InboundModule.class);

  private final InboundFiling filing;
  private final Supplier<Future<Void>> takeOverDeadLeases;
  private final PosternConfig.Inbound config;

  public InboundModule(Core core, MailParser parser) {
    Vertx vertx = core.vertx();
    Pool pool = core.database().pool();
    this.config = core.config().inbound();
    MailStore store = core.mailStore();
    InboundWorkQueue queue = new InboundWorkQueue(pool, core.node());
    this.takeOverDeadLeases = () -> DeadLeases.takeOver(core, "inbound filing", queue);
    this.filing = new InboundFiling(vertx, queue, store,
        core.blobs(), parser, core.cpu(), core.webhookDispatcher(), new FilingSettings(
            config.filingConcurrency(), config.filingBatchSize(), config.filingGroupMessages(),
            config.filingGroupBytes(), config.filingLease(),
            config.filingPollInterval(), config.filingMaxAttempts(),
            Backoff.doubling(config.filingRetryBase(), config.filingRetryMax()),
            config.shutdownGrace()));
    // A (re)subscribe wakes too: notifications sent while the LISTEN connection was down are lost.
    core.signals().listen(InboundWorkQueue.NOTIFY_CHANNEL, p -> filing.wake(), v -> filing.wake());
    core.signals().listen(MailChangeEvents.CHANNEL, store.events()::relay, v -> { });
  }

  @Override
  public Future<Void> start() {
    return takeOverDeadLeases.get().compose(v -> filing.start()).onSuccess(v -> log.info("inbound filing: {} at a time, lease {} s",
        config.filingConcurrency(), config.filingLease().toSeconds()));
  }

  @Override
  public Future<Void> stop() {
    return filing.stop();
  }
}
