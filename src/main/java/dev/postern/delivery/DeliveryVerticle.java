package dev.postern.delivery;

import dev.postern.queue.OutboundQueue;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import java.time.Duration;

/**
 * One of the delivery verticles every node runs (SPEC §1): wires the wake-up address to its
 * claim loop, and on undeploy drains it within the grace period and closes its relay
 * connections. The parts are built on the verticle's own event loop by {@link DeliveryStack}.
 */
public final class DeliveryVerticle extends VerticleBase {

  private final DeliveryStack.Factory factory;
  private final Duration grace;
  private DeliveryStack stack;
  private MessageConsumer<Object> wakeups;

  public DeliveryVerticle(DeliveryStack.Factory factory, Duration grace) {
    this.factory = factory;
    this.grace = grace;
  }

  @Override
  public Future<?> start() {
    stack = factory.create(vertx);
    wakeups = vertx.eventBus().localConsumer(OutboundQueue.WAKE_ADDRESS, m -> stack.loop().wake());
    return wakeups.completion().onSuccess(v -> stack.loop().start());
  }

  @Override
  public Future<?> stop() {
    return wakeups.unregister()
        .compose(v -> stack.loop().drain(grace))
        .compose(v -> stack.router().close());
  }
}
