package dev.postern.inbound.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** A change's encoding is made once for all its subscribers; the feed's slice after a seq. */
class MailChangeTest {

  private static final UUID MAILBOX = UUID.randomUUID();

  static MailChange change(long seq) {
    MessageSummary summary = new MessageSummary(UUID.randomUUID(), "m" + seq + "@x.test", "A",
        "a@x.test", List.of("b@y.test"), "s", "p", Instant.EPOCH, "inbox", false, false, false,
        10, null, false);
    return new MailChange(MAILBOX, seq, "new", summary.id(), "inbox", summary);
  }

  @Test
  void theEncodingIsMadeOnceHoweverManyThreadsAskForIt() throws Exception {
    MailChange change = change(7);
    AtomicInteger encoded = new AtomicInteger();
    Function<MailChange, String> encoder = c -> {
      encoded.incrementAndGet();
      return "frame " + c.seq();
    };
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < 4; t++) {
      Thread thread = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
        for (int i = 0; i < 250; i++) {
          seen.add(change.encoded(encoder));
        }
      });
      thread.start();
      threads.add(thread);
    }
    start.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(seen).hasSize(1000).containsOnly("frame 7");
    assertThat(encoded).hasValue(1);
  }

  @Test
  void anotherEncoderGetsItsOwnResultAndTheFirstStaysShared() {
    MailChange change = change(3);
    Function<MailChange, String> first = c -> "first";
    Function<MailChange, String> second = c -> "second";
    assertThat(change.encoded(first)).isEqualTo("first");
    assertThat(change.encoded(second)).isEqualTo("second");
    assertThat(change.encoded(first)).isEqualTo("first");
  }

  @Test
  void aNullEncodingIsRememberedToo() {
    MailChange change = change(4);
    AtomicInteger calls = new AtomicInteger();
    Function<MailChange, String> nothing = c -> {
      calls.incrementAndGet();
      return null;
    };
    assertThat(change.encoded(nothing)).isNull();
    assertThat(change.encoded(nothing)).isNull();
    assertThat(calls).hasValue(1);
  }

  @Test
  void aSubscriberBehindEveryChangeGetsTheReadsOwnListOthersTheirTail() {
    List<MailChange> read = List.of(change(5), change(6), change(7));
    assertThat(MailChangeFeed.after(read, 4)).isSameAs(read);
    assertThat(MailChangeFeed.after(read, 5)).containsExactly(read.get(1), read.get(2));
    assertThat(MailChangeFeed.after(read, 7)).isEmpty();
    assertThat(MailChangeFeed.after(List.of(), 1)).isEmpty();
  }
}
