package dev.postern.http;

import dev.postern.inbound.inbox.InboxMailbox;
import dev.postern.inbound.inbox.InboxService;
import dev.postern.inbound.inbox.ListFilter;
import dev.postern.keys.Scope;
import dev.postern.refusal.Refusal;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/**
 * The inbox read API (issue #14, SPEC §3): list, one message, raw MIME, attachments, threads.
 * Every route: the key first (audited like sends), then the path guard, the scope, and one charge
 * on the key's inbox read budget (its X-RateLimit-* headers on the response).
 */
public final class InboxRoutes implements RouteGroup {

  private final ApiKeyAuth auth;
  private final QuotaSteps quotas;
  private final InboxService inbox;
  private final InboxPageCache pages;

  /** @param listCacheBytes bound of the encoded list pages kept per node (0: none kept) */
  public InboxRoutes(ApiKeyAuth auth, QuotaSteps quotas, InboxService inbox, long listCacheBytes) {
    this.auth = auth;
    this.quotas = quotas;
    this.inbox = inbox;
    this.pages = new InboxPageCache(listCacheBytes);
  }

  @Override
  public void mount(Router router, Handler<RoutingContext> body) {
    get(router, "/v1/inbox/messages", this::list);
    get(router, "/v1/inbox/messages/:id", this::message);
    get(router, "/v1/inbox/messages/:id/raw", this::raw);
    get(router, "/v1/inbox/messages/:id/attachments", this::attachments);
    get(router, "/v1/inbox/messages/:id/attachments/:aid", this::attachment);
    get(router, "/v1/inbox/threads/:thread_id", this::thread);
  }

  private void get(Router router, String path, Handler<RoutingContext> handler) {
    router.get(path).handler(auth.authenticate()).handler(InboxRoutes::literalPath)
        .handler(auth.require(Scope.INBOX_READ)).handler(quotas.chargeInboxRead()).handler(handler);
  }

  private void list(RoutingContext ctx) {
    ListFilter filter;
    try {
      filter = ListFilter.parse(name -> param(ctx, name));
    } catch (Refusal refusal) {
      ctx.fail(refusal);
      return;
    }
    mailbox(ctx).compose(mailbox -> inbox.mayList(mailbox, filter).map(mailbox)).compose(mailbox -> {
      String etag = InboxPageCache.etag(mailbox);
      ctx.response().putHeader(HttpHeaders.ETAG, etag);
      if (InboxPageCache.matches(ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH), etag)) {
        return Future.succeededFuture((Buffer) null);
      }
      Buffer cached = pages.get(mailbox, filter);
      if (cached != null) {
        return Future.succeededFuture(cached);
      }
      return inbox.list(mailbox, filter).map(page -> {
        Buffer body = InboxPageWriter.write(page);
        pages.put(mailbox, filter, body);
        return body;
      });
    }).onSuccess(body -> {
      if (body == null) {
        ctx.response().setStatusCode(304).end(); // RFC 9110 §15.4.5: the client's copy is current
      } else {
        ctx.response().setStatusCode(200).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end(body);
      }
    }).onFailure(ctx::fail);
  }

  private void message(RoutingContext ctx) {
    mailbox(ctx).compose(mailbox -> inbox.message(mailbox, ctx.pathParam("id")))
        .onSuccess(detail -> ApiRouter.json(ctx, 200, InboxJson.detail(detail)))
        .onFailure(ctx::fail);
  }

  private void raw(RoutingContext ctx) {
    mailbox(ctx).compose(mailbox -> inbox.raw(mailbox, ctx.pathParam("id")))
        .onSuccess(download -> Downloads.send(ctx.response(), download))
        .onFailure(ctx::fail);
  }

  private void attachments(RoutingContext ctx) {
    mailbox(ctx).compose(mailbox -> inbox.attachments(mailbox, ctx.pathParam("id")))
        .onSuccess(list -> ApiRouter.json(ctx, 200,
            new JsonObject().put("attachments", InboxJson.attachments(list))))
        .onFailure(ctx::fail);
  }

  private void attachment(RoutingContext ctx) {
    mailbox(ctx).compose(mailbox -> inbox.attachment(mailbox, ctx.pathParam("id"), ctx.pathParam("aid")))
        .onSuccess(download -> Downloads.send(ctx.response(), download))
        .onFailure(ctx::fail);
  }

  private void thread(RoutingContext ctx) {
    mailbox(ctx).compose(mailbox -> inbox.thread(mailbox, ctx.pathParam("thread_id")))
        .onSuccess(thread -> ApiRouter.json(ctx, 200, InboxJson.thread(thread)))
        .onFailure(ctx::fail);
  }

  /** The mailbox this request acts on: {@code ?mailbox=} or the legacy {@code ?email=}. */
  Future<InboxMailbox> mailbox(RoutingContext ctx) {
    String selector = param(ctx, "mailbox");
    return inbox.mailbox(ApiKeyAuth.key(ctx), selector != null ? selector : param(ctx, "email"));
  }

  static String param(RoutingContext ctx, String name) {
    return ctx.queryParams().get(name);
  }

  /**
   * TESTING.md REST 6: the router matches the normalised path, in which {@code %2e%2e} and
   * {@code ..} segments have been resolved (RFC 3986 §5.2.4), so {@code …/attachments/%2e%2e}
   * would reach the message route. An inbox path must be literal: a dot segment, an encoded dot
   * or an encoded slash is the one 404.
   */
  static void literalPath(RoutingContext ctx) {
    String raw = ctx.request().path();
    String lower = raw == null ? "" : raw.toLowerCase(Locale.ROOT);
    if (lower.contains("%2e") || lower.contains("%2f") || lower.contains("%5c")
        || lower.contains("/./") || lower.contains("/../") || lower.endsWith("/.")
        || lower.endsWith("/..") || lower.contains("//")) {
      ctx.fail(InboxService.notFound("resource"));
      return;
    }
    ctx.next();
  }
}
