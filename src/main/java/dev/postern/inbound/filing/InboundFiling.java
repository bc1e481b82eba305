package dev.postern.inbound.filing;

import dev.postern.blob.BlobStore;
import dev.postern.inbound.parse.MailParser;
import dev.postern.inbound.store.MailStore;
import dev.postern.queue.ClaimLoop;
import dev.postern.webhooks.WebhookDispatcher;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.MessageConsumer;

/**
 * The filing pipeline of one node (issue #13): a {@link ClaimLoop} over the
 * {@link InboundWorkQueue}, filing at most {@code concurrency} deliveries at a time with
 * {@link InboundFiler}. Woken by {@link InboundWorkQueue#WAKE_ADDRESS} on the local event bus
 * (the acceptor on this node, and the wiring's relay of {@code NOTIFY postern_inbound} from any
 * node) and by the loop's backstop poll, which also finds due retries and expired leases.
 *
 * <p>Stop: no new claims; filings in flight may finish within the grace; the rest keep their
 * lease, which expires so another node files them (the unique {@code delivery_id} makes a second
 * run find the first one's message rather than file twice).
 */
public final class InboundFiling {

  private final Vertx vertx;
  private final Loop loop;
  private String deployment;

  /** @param queue the filing work queue (an adapter: built by the wiring) */
  public InboundFiling(Vertx vertx, InboundWorkQueue queue, MailStore store, BlobStore blobs,
      MailParser parser, WorkerExecutor cpu, WebhookDispatcher webhooks, FilingSettings settings) {
    this.vertx = vertx;
    this.loop = new Loop(queue, new InboundFiler(queue, store, blobs, parser, cpu, webhooks, settings),
        settings);
  }

  public Future<Void> start() {
    return vertx.deployVerticle(loop).onSuccess(id -> deployment = id).mapEmpty();
  }

  /** Look for pending deliveries now. Thread-safe. */
  public void wake() {
    vertx.eventBus().publish(InboundWorkQueue.WAKE_ADDRESS, "");
  }

  /** Lets filings in flight finish within the grace, then stops. Idempotent. */
  public Future<Void> stop() {
    String id = deployment;
    deployment = null;
    return id == null ? Future.succeededFuture() : vertx.undeploy(id);
  }

  /** Deploys and wires only: the loop is built on the verticle's event loop. */
  private static final class Loop extends VerticleBase {
    private final InboundWorkQueue queue;
    private final InboundFiler filer;
    private final FilingSettings settings;
    private ClaimLoop<InboundDelivery> claims;
    private MessageConsumer<Object> wakeups;

    Loop(InboundWorkQueue queue, InboundFiler filer, FilingSettings settings) {
      this.queue = queue;
      this.filer = filer;
      this.settings = settings;
    }

    @Override
    public Future<?> start() {
      claims = new ClaimLoop<>(vertx, "filing", queue, filer::file, settings.loop());
      wakeups = vertx.eventBus().localConsumer(InboundWorkQueue.WAKE_ADDRESS, m -> claims.wake());
      return wakeups.completion().onSuccess(v -> claims.start());
    }

    @Override
    public Future<?> stop() {
      return wakeups.unregister().compose(v -> claims.drain(settings.shutdownGrace()));
    }
  }
}
