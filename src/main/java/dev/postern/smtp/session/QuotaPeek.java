package dev.postern.smtp.session;

import dev.postern.auth.AuthenticatedKey;
import dev.postern.ratelimit.Decision;
import io.vertx.core.Future;

/**
 * A look at the key's hourly quota without charging it ({@code auth.Quotas::peekSends}), so a
 * spent quota is refused at MAIL (451 4.7.1) before the client sends the data. Advisory: the
 * sink's charge at the end of DATA decides.
 */
public interface QuotaPeek {
  Future<Decision> peekSends(AuthenticatedKey key);

  /** No look-ahead: the quota is only checked when the sink charges it. */
  static QuotaPeek none() {
    return key -> Future.succeededFuture(new Decision(true, 0, 0, 0));
  }
}
