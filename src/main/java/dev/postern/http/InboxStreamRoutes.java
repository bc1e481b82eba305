package dev.postern.http;

import dev.postern.auth.AuthenticatedKey;
import dev.postern.config.PosternConfig;
import dev.postern.inbound.inbox.InboxService;
import dev.postern.inbound.inbox.MailChangeFeed;
import dev.postern.keys.Scope;
import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.List;

/**
 * {@code GET /v1/inbox/stream} (issue #14 item 5): Server-Sent Events {@code connected},
 * {@code new_email} (the list item), {@code email_updated}, {@code heartbeat}; {@code id:} is the
 * mailbox's change sequence and {@code Last-Event-ID} resumes after it, on any node. Bounded per
 * key (429) and per node (503); ended when the key is revoked.
 */
public final class InboxStreamRoutes implements RouteGroup {

  private final ApiKeyAuth auth;
  private final QuotaSteps quotas;
  private final InboxService inbox;
  private final MailChangeFeed feed;
  private final StreamRegistry streams;
  private final PosternConfig.Inbox settings;
  private final Clock clock;

  public InboxStreamRoutes(ApiKeyAuth auth, QuotaSteps quotas, InboxService inbox,
      MailChangeFeed feed, StreamRegistry streams, PosternConfig.Inbox settings, Clock clock) {
    this.auth = auth;
    this.quotas = quotas;
    this.inbox = inbox;
    this.feed = feed;
    this.streams = streams;
    this.settings = settings;
    this.clock = clock;
  }

  @Override
  public void mount(Router router, Handler<RoutingContext> body) {
    router.get("/v1/inbox/stream").handler(auth.authenticate()).handler(InboxRoutes::literalPath)
        .handler(auth.require(Scope.INBOX_READ)).handler(quotas.chargeInboxRead()).handler(this::open);
  }

  private void open(RoutingContext ctx) {
    AuthenticatedKey key = ApiKeyAuth.key(ctx);
    InboxStream stream = new InboxStream(ctx.vertx(), ctx.response(),
        ctx.request().connection(), key.id(), clock, streams);
    String refused = streams.admit(stream);
    if (refused != null) {
      ctx.fail(refused.equals("key")
          ? new ApiException(ApiError.RATE_LIMITED, "this key already has " + streams.perKey()
              + " open streams", List.of(), (long) streams.perKey())
          : new ApiException(ApiError.UNAVAILABLE, "this node serves no more streams; try another"));
      return;
    }
    String selector = InboxRoutes.param(ctx, "mailbox");
    inbox.mailbox(key, selector != null ? selector : InboxRoutes.param(ctx, "email"))
        .compose(mailbox -> inbox.queries().changeSeq(mailbox.id()).map(current -> {
          long from = resumeFrom(ctx.request().getHeader("Last-Event-ID"), current);
          stream.open(mailbox.address(), from, settings.streamHeartbeat().toMillis(),
              settings.streamBufferBytes(),
              () -> streams.recheck(key.id()), () -> streams.release(stream));
          stream.subscribed(feed.subscribe(mailbox.id(), from, stream));
          return null;
        }))
        .onFailure(e -> {
          streams.release(stream);
          ctx.fail(e);
        });
  }

  /**
   * The sequence the client has seen: its {@code Last-Event-ID} when it is a number not beyond
   * the mailbox's last change, else the last change (a new client starts from now).
   */
  static long resumeFrom(String lastEventId, long current) {
    if (lastEventId == null || lastEventId.isBlank() || lastEventId.length() > 19) {
      return current;
    }
    try {
      long seen = Long.parseLong(lastEventId.trim());
      return seen < 0 || seen > current ? current : seen;
    } catch (NumberFormatException e) {
      return current;
    }
  }
}
