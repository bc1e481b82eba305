package dev.postern.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OpenModelSchedulerTest {

  private Vertx vertx;

  @BeforeEach
  void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void closeVertx() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void intendedStartsAreEvenlySpacedFromTheFirstSlot() {
    long t0 = 1_000_000L;
    assertThat(OpenModelScheduler.intendedStart(t0, 2000, 0)).isEqualTo(t0);
    assertThat(OpenModelScheduler.intendedStart(t0, 2000, 1)).isEqualTo(t0 + 500_000);
    assertThat(OpenModelScheduler.intendedStart(t0, 2000, 2000)).isEqualTo(t0 + 1_000_000_000);
    // A rate that does not divide a second still lands exactly on the second, with no drift.
    assertThat(OpenModelScheduler.intendedStart(t0, 3, 3)).isEqualTo(t0 + 1_000_000_000);
    assertThat(OpenModelScheduler.intendedStart(t0, 3, 300_000))
        .isEqualTo(t0 + 100_000L * 1_000_000_000);
  }

  @Test
  void lateTickFiresEveryMissedSlotWithItsOwnIntendedStart() {
    long t0 = 5_000_000_000L;
    List<Long> fired = new ArrayList<>();
    var scheduler = new OpenModelScheduler(vertx, 1000, t0, t0 + 1_000_000_000L, fired::add);

    assertThat(scheduler.fireDue(t0 - 1)).isZero();
    // One tick 10 ms late: slots 0..10 ms are all due, each keeps its own slot.
    assertThat(scheduler.fireDue(t0 + 10_000_000L)).isEqualTo(11);
    assertThat(fired).first().isEqualTo(t0);
    assertThat(fired).last().isEqualTo(t0 + 10_000_000L);
    assertThat(fired.get(5)).isEqualTo(t0 + 5_000_000L);
    // Nothing is fired twice, and nothing at or past the end.
    assertThat(scheduler.fireDue(t0 + 10_000_000L)).isZero();
    assertThat(scheduler.fireDue(t0 + 5_000_000_000L)).isEqualTo(989);
    assertThat(scheduler.fired()).isEqualTo(1000);
  }

  /**
   * The server stalls once for 500 ms while the load keeps arriving at 200 req/s: the requests
   * queued behind the stall must carry the wait in their latency (p99 near 500 ms), although
   * each of them is served quickly once it finally gets a connection.
   */
  @Test
  void stallOfTheServerShowsInTheP99OfTheQueuedRequests() throws Exception {
    HttpServer server = stallingServer(200, Duration.ofMillis(500));
    var template = Workload.GET.template(new Workload.Spec(
        "http://127.0.0.1:" + server.actualPort() + "/", null, null, List.of(), 0, 0, 0));
    long t0 = System.nanoTime() + 50_000_000L;
    long end = t0 + 3_000_000_000L;
    var recorder = new LatencyRecorder(t0, t0, end);
    Promise<Void> finished = Promise.promise();
    var share = new LoadVerticle.Share(0, 200, 4, t0, end, Duration.ofSeconds(5));
    vertx.deployVerticle(new LoadVerticle(template, recorder, share, finished)).await();

    finished.future().await(20, TimeUnit.SECONDS);
    recorder.sample(System.nanoTime());

    var latency = recorder.latencySoFar();
    var service = recorder.serviceTimeSoFar();
    assertThat(recorder.transportErrorCounts()).isEmpty();
    assertThat(latency.getTotalCount()).isEqualTo(600);
    assertThat(recorder.statusCounts()).containsEntry("200", 600L);
    assertThat(latency.getValueAtPercentile(99)).isGreaterThan(400_000);
    assertThat(latency.getMaxValue()).isGreaterThan(480_000);
    // Measured from the moment each request got a connection, the stall almost vanishes:
    // exactly what coordinated omission would report.
    assertThat(service.getValueAtPercentile(99))
        .isLessThan(latency.getValueAtPercentile(99) / 2);
  }

  /** Answers at once, except that from the {@code stallAt}-th request on it holds every answer
   * until {@code stall} has passed (a pause, not a blocked event loop). */
  private HttpServer stallingServer(int stallAt, Duration stall) throws Exception {
    AtomicLong seen = new AtomicLong();
    AtomicLong stallUntil = new AtomicLong();
    return vertx.createHttpServer()
        .requestHandler(request -> {
          long now = System.nanoTime();
          if (seen.incrementAndGet() == stallAt) {
            stallUntil.set(now + stall.toNanos());
          }
          long wait = stallUntil.get() == 0 ? 0 : stallUntil.get() - now;
          if (wait > 0) {
            vertx.setTimer(Math.max(1, wait / 1_000_000), id -> request.response().end("late"));
          } else {
            request.response().end("ok");
          }
        })
        .listen(0, "127.0.0.1")
        .await(10, TimeUnit.SECONDS);
  }
}
