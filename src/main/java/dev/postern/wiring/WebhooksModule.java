package dev.postern.wiring;

import dev.postern.webhooks.WebhookDispatcher;
import io.vertx.core.Future;

/** Webhook delivery: one loop per node, woken by NOTIFY from any node (SPEC §6). */
public final class WebhooksModule implements Feature {

  private final Core core;
  private final WebhookDispatcher dispatcher;

  public WebhooksModule(Core core) {
    this.core = core;
    this.dispatcher = core.webhookDispatcher();
    core.signals().listen(WebhookDispatcher.CHANNEL, p -> dispatcher.wake(), v -> dispatcher.wake());
  }

  @Override
  public Future<Void> start() {
    return DeadLeases.takeOver(core, "webhooks", dispatcher.queue()).compose(v -> dispatcher.start());
  }

  @Override
  public Future<Void> stop() {
    return dispatcher.stop();
  }
}
