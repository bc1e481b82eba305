package dev.postern.wiring;

import dev.postern.config.PosternConfig;
import dev.postern.delivery.ClaimedLocalDelivery;
import dev.postern.delivery.DeliveryStack;
import dev.postern.delivery.DeliveryVerticle;
import dev.postern.delivery.DkimMessageSigner;
import dev.postern.delivery.dkim.DkimSigner;
import dev.postern.inbound.accept.LocalRoutes;
import dev.postern.queue.OutboundQueue;
import dev.postern.send.ClaimFilings;
import dev.postern.webhooks.DeliveryWebhooks;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Delivery workers on every node (SPEC §6), claiming from the shared queue. */
public final class DeliveryModule implements Feature {

  private static final Logger log = LoggerFactory.getLogger(DeliveryModule.class);

  private final Vertx vertx;
  private final PosternConfig.Delivery config;
  private final String node;
  private final DeliveryStack.Factory stack;
  private final OutboundQueue queue;
  private final Supplier<Future<Void>> takeOverDeadLeases;
  private String deployment;

  public DeliveryModule(Core core) {
    this.vertx = core.vertx();
    this.config = core.config().delivery();
    this.node = core.node();
    this.queue = core.queue();
    this.takeOverDeadLeases = () -> DeadLeases.takeOver(core, "delivery", core.queue());
    this.stack = DeliveryStack.factory(config, core.queue(), core.blobs(),
        new DkimMessageSigner(core.dkimKeys(), new DkimSigner(core.clock()), core.signing()),
        new DeliveryWebhooks(core.database().pool(), core.webhookDispatcher(), core.clock(),
            core.config().webhooks().subscriptionsTtl()),
        core.clock(),
        // Scheduled mail to hosted mailboxes is filed when due (issue #13.8).
        new ClaimedLocalDelivery(new LocalRoutes(core.recipients()),
            new ClaimFilings(core.database().pool()), core.blobs(), core.cpu(), core.filingWakeup()));
    // Queue wake-ups from any node become local ones; a (re)subscribe wakes too, in case
    // notifications were missed while the LISTEN connection was down.
    core.signals().listen(OutboundQueue.NOTIFY_CHANNEL,
        id -> vertx.eventBus().publish(OutboundQueue.WAKE_ADDRESS, id),
        v -> vertx.eventBus().publish(OutboundQueue.WAKE_ADDRESS, ""));
  }

  @Override
  public Future<Void> start() {
    return takeOverDeadLeases.get().compose(v -> unparkIfRelays()).compose(v -> vertx.deployVerticle(() -> new DeliveryVerticle(stack, config.shutdownGrace()),
            new DeploymentOptions().setInstances(config.workers()))
        .onSuccess(id -> {
          deployment = id;
          log.info("delivery: {} workers as {}, {}", config.workers(), node,
              config.relays().isEmpty() ? "no relay configured" : "relays " + config.relays());
        })
        .mapEmpty());
  }

  /**
   * Mail accepted while no relay was configured waits parked (SPEC §4a); a node started with a
   * relay makes it due, so it goes out now. Before the workers start, so their first claim sees it.
   */
  private Future<Void> unparkIfRelays() {
    if (config.relays().isEmpty()) {
      return Future.succeededFuture();
    }
    return queue.unpark().map(n -> {
      if (n > 0) {
        log.info("delivery: {} messages accepted while no relay was configured are now due", n);
      }
      return null;
    });
  }

  @Override
  public Future<Void> stop() {
    return vertx.undeploy(deployment);
  }
}
