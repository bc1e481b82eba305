package dev.postern.send;

import dev.postern.config.PosternConfig;
import dev.postern.db.Batcher;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Group commit of accepted mail (issue #11): concurrent accepts, from any event loop, coalesce
 * into one {@link OutboundInsert} statement and so ONE commit instead of one WAL flush each. When
 * a batch goes, and how a refused batch finds its guilty member, is {@link Batcher}'s contract.
 *
 * <p>A member is the messages of one submission: they commit together or not at all (a batch
 * send keeps its all-or-nothing meaning). Each member's future completes only after its batch
 * committed.
 */
public final class GroupCommit {

  /** Mirrors {@link PosternConfig.GroupCommit}; {@code maxMessages} counts messages, not members. */
  public record Settings(int maxMessages, long maxBytes, Duration maxWait, int maxInFlight) {
    public static Settings of(PosternConfig.GroupCommit c) {
      return new Settings(c.maxMessages(), c.maxBytes(), c.maxWait(), c.maxInFlight());
    }

    /** No coalescing: every member commits by itself, at once (readers, tests). */
    public static Settings alone() {
      return new Settings(1, 1, Duration.ZERO, Integer.MAX_VALUE);
    }
  }

  private final Batcher<List<OutboundMessage>, Void> batcher;

  GroupCommit(Vertx vertx, Pool pool, OutboundInsert insert, Settings settings) {
    this.batcher = new Batcher<>(vertx,
        new Batcher.Settings(settings.maxMessages(), settings.maxBytes(), settings.maxWait(),
            settings.maxInFlight()),
        List::size, member -> member.stream().mapToLong(OutboundInsert::bytes).sum(),
        members -> {
          List<OutboundMessage> all = new ArrayList<>();
          members.forEach(all::addAll);
          // One statement in autocommit: atomic, one round trip, one commit.
          return pool.preparedQuery(insert.sql()).execute(insert.tuple(all))
              .map(rows -> Collections.<Void>nCopies(members.size(), null));
        });
  }

  /** Commits the messages together, in a batch with whatever else is being committed now. */
  public Future<Void> commit(List<OutboundMessage> messages) {
    return batcher.submit(messages);
  }
}
