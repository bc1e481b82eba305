package dev.postern.delivery;

import dev.postern.delivery.smtp.DataContent;
import dev.postern.delivery.smtp.MailTransaction;
import dev.postern.delivery.smtp.RelayFailure;
import dev.postern.delivery.smtp.SmtpConnection;
import dev.postern.delivery.smtp.TransactionResult;
import dev.postern.delivery.smtp.Verdict;
import io.vertx.core.Future;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands a message to the relays in order of weight (highest first). A relay that cannot be
 * reached, or answers 4xx for the whole transaction, passes the message to the next one within
 * the same attempt; once content may have reached a relay (dropped or stalled after DATA
 * started) no other relay is tried, so the attempt ends deferred rather than duplicated.
 */
final class RelayRouter {

  static final String NO_RELAY = "no relay configured";
  private static final Logger log = LoggerFactory.getLogger(RelayRouter.class);

  private final List<RelayPool> pools;
  private final long dataTimeoutMs;

  RelayRouter(List<RelayPool> pools, long dataTimeoutMs) {
    this.pools = pools.stream()
        .sorted(Comparator.comparingInt((RelayPool p) -> p.relay().weight()).reversed()).toList();
    this.dataTimeoutMs = dataTimeoutMs;
  }

  /** False when no relay is configured: every attempt ends at once with {@link #NO_RELAY}. */
  boolean hasRelays() {
    return !pools.isEmpty();
  }

  /** Connections this router may hold at once over all relays. */
  int capacity() {
    return pools.stream().mapToInt(RelayPool::max).sum();
  }

  Future<RelayAttempt> deliver(String from, List<String> recipients, DataContent content) {
    if (pools.isEmpty()) {
      return Future.succeededFuture(
          RelayAttempt.allFailed(null, recipients, Verdict.TRANSIENT, NO_RELAY));
    }
    return tryRelay(0, from, recipients, content);
  }

  private Future<RelayAttempt> tryRelay(int index, String from, List<String> recipients,
      DataContent content) {
    RelayPool pool = pools.get(index);
    String name = pool.relay().name();
    boolean another = index + 1 < pools.size();
    if (another && !pool.available()) {
      return tryRelay(index + 1, from, recipients, content); // failed recently: skip for now
    }
    return pool.acquire()
        .compose(connection -> MailTransaction.run(connection, from, recipients, content, dataTimeoutMs)
            .onSuccess(result -> giveBack(pool, connection, result))
            .onFailure(e -> pool.discard(connection)))
        .transform(ar -> {
          if (ar.succeeded()) {
            TransactionResult result = ar.result();
            if (result.wholeTransient() && another) {
              log.info("relay {} deferred the whole transaction ({}); trying the next relay", name,
                  result.recipients().get(0).reply());
              return tryRelay(index + 1, from, recipients, content);
            }
            return Future.succeededFuture(new RelayAttempt(name, result.recipients(),
                result.accepted(), result.finalReply() == null ? null : result.finalReply().toString()));
          }
          RelayFailure failure = RelayFailure.of(ar.cause(), false);
          if (!failure.contentSent() && another) {
            log.info("relay {} unavailable ({}); trying the next relay", name, failure.getMessage());
            return tryRelay(index + 1, from, recipients, content);
          }
          // The detail (host:port, TLS and AUTH replies) is for operators only (issue #15.7).
          log.warn("relay {} failed{}: {}", name, failure.contentSent() ? " after DATA" : "",
              failure.getMessage());
          return Future.succeededFuture(RelayAttempt.allFailed(name, recipients, Verdict.TRANSIENT,
              failure.publicReason()));
        });
  }

  /** RFC 5321 §4.1.1.5: RSET after an aborted transaction before the connection is reused. */
  private static void giveBack(RelayPool pool, SmtpConnection connection, TransactionResult result) {
    if (result.clean()) {
      pool.release(connection);
      return;
    }
    connection.command("RSET").onComplete(ar -> {
      if (ar.succeeded() && ar.result().positive()) {
        pool.release(connection);
      } else {
        pool.discard(connection);
      }
    });
  }

  Future<Void> close() {
    return Future.join(pools.stream().map(RelayPool::close).toList()).mapEmpty();
  }
}
