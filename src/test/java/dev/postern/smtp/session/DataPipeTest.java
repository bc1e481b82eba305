package dev.postern.smtp.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Back-pressure of the stream between the session and the sink. */
class DataPipeTest {

  private static Buffer bytes(int n) {
    return Buffer.buffer(new byte[n]);
  }

  @Test
  void aFlowingReaderGetsEveryChunkThenTheEnd() {
    DataPipe pipe = new DataPipe(100);
    List<String> seen = new ArrayList<>();
    pipe.handler(b -> seen.add(b.toString())).endHandler(v -> seen.add("END"));
    assertThat(pipe.write(Buffer.buffer("a"))).isTrue();
    assertThat(pipe.write(Buffer.buffer("b"))).isTrue();
    pipe.end();
    assertThat(seen).containsExactly("a", "b", "END");
  }

  @Test
  void writesAreRefusedOnceTheQueueIsFullAndTheDrainRunsWhenTheReaderCatchesUp() {
    DataPipe pipe = new DataPipe(100);
    List<Buffer> seen = new ArrayList<>();
    pipe.handler(seen::add);
    pipe.pause();
    assertThat(pipe.write(bytes(60))).isTrue();
    assertThat(pipe.write(bytes(60))).as("120 ≥ 100 queued: pause the socket").isFalse();
    AtomicInteger drained = new AtomicInteger();
    pipe.drainHandler(drained::incrementAndGet);
    assertThat(drained).hasValue(0);
    pipe.fetch(1);
    assertThat(seen).hasSize(1);
    assertThat(pipe.queuedBytes()).isEqualTo(60);
    assertThat(drained).as("60 is still over half the mark").hasValue(0);
    pipe.fetch(1);
    assertThat(seen).hasSize(2);
    assertThat(drained).hasValue(1);
  }

  @Test
  void chunksWrittenBeforeTheReaderAttachesAreKeptAndBounded() {
    DataPipe pipe = new DataPipe(64);
    assertThat(pipe.write(bytes(32))).isTrue();
    assertThat(pipe.write(bytes(32))).isFalse();
    pipe.end();
    AtomicInteger total = new AtomicInteger();
    AtomicInteger ends = new AtomicInteger();
    pipe.endHandler(v -> ends.incrementAndGet());
    assertThat(ends).as("the end waits for the queued chunks").hasValue(0);
    pipe.handler(b -> total.addAndGet(b.length()));
    assertThat(total).hasValue(64);
    assertThat(ends).hasValue(1);
  }

  @Test
  void aPausedReaderDoesNotGetTheEndUntilItAsks() {
    DataPipe pipe = new DataPipe(64);
    AtomicInteger ends = new AtomicInteger();
    pipe.handler(b -> { }).endHandler(v -> ends.incrementAndGet());
    pipe.pause();
    pipe.end();
    assertThat(ends).hasValue(0);
    pipe.resume();
    assertThat(ends).hasValue(1);
  }

  @Test
  void fetchDeliversExactlyTheDemand() {
    DataPipe pipe = new DataPipe(1000);
    List<Buffer> seen = new ArrayList<>();
    pipe.pause();
    pipe.handler(seen::add);
    for (int i = 0; i < 5; i++) {
      pipe.write(bytes(1));
    }
    pipe.fetch(2);
    assertThat(seen).hasSize(2);
    pipe.fetch(10);
    assertThat(seen).hasSize(5);
    pipe.write(bytes(1));
    assertThat(seen).as("remaining demand 7 lets it through").hasSize(6);
  }

  @Test
  void aReaderThatPausesInsideItsHandlerStopsTheFlow() {
    DataPipe pipe = new DataPipe(1000);
    List<Buffer> seen = new ArrayList<>();
    pipe.handler(b -> {
      seen.add(b);
      pipe.pause();
    });
    pipe.write(bytes(1));
    pipe.write(bytes(1));
    pipe.write(bytes(1));
    assertThat(seen).hasSize(1);
    pipe.resume();
    assertThat(seen).hasSize(2);
  }

  @Test
  void aFailureDropsTheQueueReachesTheReaderAndIsNeverFollowedByTheEnd() {
    DataPipe pipe = new DataPipe(64);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicInteger ends = new AtomicInteger();
    AtomicInteger chunks = new AtomicInteger();
    pipe.pause();
    pipe.handler(b -> chunks.incrementAndGet()).endHandler(v -> ends.incrementAndGet());
    pipe.write(bytes(40));
    pipe.write(bytes(40));
    AtomicInteger drained = new AtomicInteger();
    pipe.drainHandler(drained::incrementAndGet);
    IllegalStateException cause = new IllegalStateException("too large");
    pipe.fail(cause);
    assertThat(drained).as("a failed pipe releases a paused writer").hasValue(1);
    pipe.exceptionHandler(failure::set);
    assertThat(failure.get()).as("delivered when the handler attaches late").isSameAs(cause);
    pipe.end();
    pipe.resume();
    assertThat(pipe.write(bytes(10))).isTrue();
    assertThat(chunks).hasValue(0);
    assertThat(ends).hasValue(0);
    assertThat(pipe.queuedBytes()).isZero();
  }
}
