package dev.postern.inbound.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.Eventually;
import dev.postern.support.InboxSeed;
import dev.postern.support.TestGateway;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The feed's hand-over to a subscriber that takes only part of what it is offered (a live
 * stream at its bound): every change reaches it exactly once and in sequence order, over pages
 * of the feed ({@link MailChangeFeed#PAGE}) and while new changes arrive, however its resume
 * comes — inside {@code deliver} (a write that completes at once), on the next turn of its
 * context, or later. The feed here has no periodic sweep: only the subscriber's resumes and the
 * test's wakes (a NOTIFY's stand-in) drive it.
 */
class MailChangeFeedIT {

  private static TestGateway gateway;
  private static InboxSeed seed;
  private static Vertx vertx;
  private static Pool pool;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start();
    seed = new InboxSeed(gateway);
    vertx = Vertx.vertx();
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(gateway.pgUrl())
        .using(vertx).build();
  }

  @AfterAll
  static void stop() {
    pool.close().await();
    vertx.close().await();
    seed.close();
    gateway.close();
  }

  enum Resume { INSIDE_DELIVER, NEXT_TURN, AFTER_A_MILLISECOND, NEVER }

  @ParameterizedTest(name = "takes {1} at a time, resumes {0}")
  @CsvSource({"INSIDE_DELIVER, 1", "INSIDE_DELIVER, 7", "NEXT_TURN, 7", "AFTER_A_MILLISECOND, 50"})
  void aSubscriberTakingAFewAtATimeGetsEveryChangeOnceInOrder(Resume resume, int take) throws Exception {
    UUID box = seed.mailbox("feed-" + resume.name().toLowerCase() + "-" + take + "@feed.test", "plaintext");
    UUID message = seed.file(box, InboxSeed.mail().subject("flags").receivedAt(Instant.now())).id();
    long before = Long.parseLong(seed.text("SELECT change_seq FROM mailboxes WHERE id = $1", box));
    // More than a page waits before the subscription, and more arrives while it is served.
    int waiting = MailChangeFeed.PAGE + 100;
    int arriving = 100;
    for (int i = 0; i < waiting; i++) {
      toggleSeen(box, message, i);
    }

    MailChangeFeed feed = new MailChangeFeed(vertx, pool);
    feed.start(3_600_000).await();
    Context context = vertx.getOrCreateContext();
    Partial subscriber = new Partial(context, resume, take, () -> { });
    CompletableFuture<Void> subscribed = new CompletableFuture<>();
    context.runOnContext(v -> {
      subscriber.subscription = feed.subscribe(box, before, subscriber);
      subscribed.complete(null);
    });
    subscribed.get(10, TimeUnit.SECONDS);
    for (int i = waiting; i < waiting + arriving; i++) {
      toggleSeen(box, message, i);
      feed.wake(box);
    }

    List<Long> expected = LongStream.rangeClosed(before + 1, before + waiting + arriving).boxed().toList();
    Eventually.until(Duration.ofSeconds(30), () -> subscriber.got().size() >= expected.size(),
        () -> "the subscriber got " + subscriber.got().size() + " of " + expected.size() + " changes");
    assertThat(subscriber.got()).isEqualTo(expected);
    assertThat(subscriber.offeredOutOfOrder()).as("a hand-over not starting right after the last change taken")
        .isZero();
    subscriber.subscription.close();
    feed.stop().await();
  }

  /**
   * A change committed while a hand-over is out: the wake it sends finds the subscription in
   * flight and is skipped, so the feed must read for it once the count is back — here nothing
   * else would ever wake it (the subscriber takes all it is offered and never resumes).
   */
  @Test
  void aChangeWhileAHandOverIsOutIsReadForOnceItIsBack() throws Exception {
    UUID box = seed.mailbox("feed-inside@feed.test", "plaintext");
    UUID message = seed.file(box, InboxSeed.mail().subject("flags").receivedAt(Instant.now())).id();
    long before = Long.parseLong(seed.text("SELECT change_seq FROM mailboxes WHERE id = $1", box));
    toggleSeen(box, message, 0);
    int inside = 30;

    MailChangeFeed feed = new MailChangeFeed(vertx, pool);
    feed.start(3_600_000).await();
    Context context = vertx.getOrCreateContext();
    int[] made = {1};
    Partial subscriber = new Partial(context, Resume.NEVER, Integer.MAX_VALUE, () -> {
      if (made[0] < 1 + inside) {
        // Blocks this test context's loop for one commit (milliseconds), on purpose: the change
        // and its wake land while the feed still has the hand-over out.
        try {
          toggleSeenFuture(box, message, made[0]++).toCompletionStage().toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        feed.wake(box);
      }
    });
    CompletableFuture<Void> subscribed = new CompletableFuture<>();
    context.runOnContext(v -> {
      subscriber.subscription = feed.subscribe(box, before, subscriber);
      subscribed.complete(null);
    });
    subscribed.get(10, TimeUnit.SECONDS);

    List<Long> expected = LongStream.rangeClosed(before + 1, before + 1 + inside).boxed().toList();
    Eventually.until(Duration.ofSeconds(30), () -> subscriber.got().size() >= expected.size(),
        () -> "the subscriber got " + subscriber.got().size() + " of " + expected.size() + " changes");
    assertThat(subscriber.got()).isEqualTo(expected);
    subscriber.subscription.close();
    feed.stop().await();
  }

  private static void toggleSeen(UUID box, UUID message, int i) {
    toggleSeenFuture(box, message, i).await();
  }

  private static io.vertx.core.Future<?> toggleSeenFuture(UUID box, UUID message, int i) {
    List<String> seen = List.of("\\Seen");
    return i % 2 == 0 ? seed.store().addFlags(box, message, seen)
        : seed.store().removeFlags(box, message, seen);
  }

  /** Takes at most {@code take} changes per hand-over, then is not ready until it resumes. */
  private static final class Partial implements MailChangeFeed.Subscriber {
    private final Context context;
    private final Resume resume;
    private final int take;
    private final Runnable whileDelivering;
    private final List<Long> got = new ArrayList<>();
    private int offeredOutOfOrder;
    private volatile boolean ready = true;
    MailChangeFeed.Subscription subscription;

    Partial(Context context, Resume resume, int take, Runnable whileDelivering) {
      this.context = context;
      this.resume = resume;
      this.take = take;
      this.whileDelivering = whileDelivering;
    }

    synchronized List<Long> got() {
      return List.copyOf(got);
    }

    synchronized int offeredOutOfOrder() {
      return offeredOutOfOrder;
    }

    @Override
    public boolean ready() {
      return ready;
    }

    @Override
    public int deliver(List<MailChange> changes) {
      assertThat(Vertx.currentContext()).isSameAs(context);
      int n = Math.min(take, changes.size());
      synchronized (this) {
        long last = got.isEmpty() ? -1 : got.get(got.size() - 1);
        if (last >= 0 && changes.get(0).seq() != last + 1) {
          offeredOutOfOrder++;
        }
        for (int i = 0; i < n; i++) {
          got.add(changes.get(i).seq());
        }
      }
      whileDelivering.run();
      if (n == changes.size() && resume == Resume.NEVER) {
        return n;
      }
      ready = false;
      switch (resume) {
        case INSIDE_DELIVER -> resume();
        case NEXT_TURN -> context.runOnContext(v -> resume());
        case AFTER_A_MILLISECOND -> context.owner().setTimer(1, id -> resume());
        case NEVER -> { }
      }
      return n;
    }

    private void resume() {
      ready = true;
      subscription.resume();
    }
  }
}
