package dev.postern.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import java.time.Duration;

/**
 * One load-generating event loop: builds its own pooled HTTP/1.1 client and runs one driver
 * (a share of the total concurrency or rate). Several instances spread the load over loops.
 */
final class LoadVerticle extends VerticleBase {

  /** What one instance drives: either {@code concurrency} > 0 (closed) or {@code rate} > 0 (open). */
  record Share(int concurrency, double rate, int connections, long firstSlot, long endNanos,
      Duration timeout) {}

  private final RequestTemplate template;
  private final LatencyRecorder recorder;
  private final Share share;
  private final Promise<Void> finished;
  private HttpClient client;

  LoadVerticle(RequestTemplate template, LatencyRecorder recorder, Share share,
      Promise<Void> finished) {
    this.template = template;
    this.recorder = recorder;
    this.share = share;
    this.finished = finished;
  }

  @Override
  public Future<?> start() {
    var options = new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_1_1)
        .setKeepAlive(true)
        .setPipelining(false);
    // An unbounded wait queue: in the open model a request that cannot get a connection waits
    // (its clock already running from its slot) rather than being dropped.
    var pool = new PoolOptions().setHttp1MaxSize(share.connections()).setMaxWaitQueueSize(-1);
    client = vertx.createHttpClient(options, pool);
    var sender = new RequestSender(client, template, share.timeout());
    Future<Void> run = share.rate() > 0
        ? new OpenModelDriver(vertx, sender, recorder, share.rate(), share.firstSlot(),
            share.endNanos()).start()
        : new ClosedModelDriver(vertx, sender, recorder, share.concurrency(),
            share.firstSlot(), share.endNanos()).start();
    run.onComplete(finished);
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    return client == null ? Future.succeededFuture() : client.close();
  }
}
