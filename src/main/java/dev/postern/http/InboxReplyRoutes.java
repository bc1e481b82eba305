package dev.postern.http;

import dev.postern.auth.AuthenticatedKey;
import dev.postern.inbound.inbox.InboxService;
import dev.postern.inbound.inbox.MessageDetail;
import dev.postern.keys.Scope;
import dev.postern.send.RequestJson;
import dev.postern.send.SendRequestParser;
import dev.postern.send.Submission;
import dev.postern.send.SubmissionService;
import dev.postern.send.SubmissionService.Batch;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code POST /v1/inbox/messages/:id/reply} (SPEC §3, scope {@code emails:send}): a reply through
 * the one submission core. The body is a send body without {@code from} and {@code subject}
 * (both may be given to override); {@code from} is the mailbox, {@code to} the original's
 * Reply-To or sender, {@code subject} "Re: …", and In-Reply-To / References name the original
 * and its ancestors (RFC 5322 §3.6.4).
 */
public final class InboxReplyRoutes implements RouteGroup {

  private final ApiKeyAuth auth;
  private final InboxService inbox;
  private final SubmissionService submissions;
  private final SendRequestParser parser;
  private final RequestJson json = new RequestJson();

  public InboxReplyRoutes(ApiKeyAuth auth, InboxService inbox, SubmissionService submissions,
      SendRequestParser parser) {
    this.auth = auth;
    this.inbox = inbox;
    this.submissions = submissions;
    this.parser = parser;
  }

  @Override
  public void mount(Router router, Handler<RoutingContext> body) {
    router.post("/v1/inbox/messages/:id/reply").handler(body).handler(auth.authenticate())
        .handler(InboxRoutes::literalPath).handler(auth.require(Scope.EMAILS_SEND)).handler(this::reply);
  }

  private void reply(RoutingContext ctx) {
    AuthenticatedKey key = ApiKeyAuth.key(ctx);
    Buffer raw = ctx.body().buffer();
    JsonObject request;
    try {
      request = raw == null || raw.length() == 0 ? new JsonObject() : json.object(raw);
    } catch (RuntimeException e) {
      ctx.fail(e);
      return;
    }
    String selector = InboxRoutes.param(ctx, "mailbox");
    inbox.mailbox(key, selector != null ? selector : InboxRoutes.param(ctx, "email"))
        .compose(mailbox -> inbox.message(mailbox, ctx.pathParam("id")).map(original -> {
          JsonObject send = request.copy();
          send.put("from", mailbox.address());
          if (!send.containsKey("to")) {
            send.put("to", replyTarget(original));
          }
          if (!send.containsKey("subject")) {
            send.put("subject", replySubject(original.summary().subject()));
          }
          Optional<String> parent = Optional.ofNullable(original.summary().messageId());
          parent.ifPresent(id -> send.put("in_reply_to", "<" + id + ">"));
          List<String> ancestors = new ArrayList<>();
          original.references().forEach(id -> ancestors.add("<" + id + ">"));
          return parser.parse(send).withReferences(parent.isPresent() ? ancestors : List.of());
        }))
        .compose(reply -> submissions.accept(key, List.of(Submission.composed(reply)), "api",
            Optional.empty(), Batch.SINGLE))
        .onSuccess(accepted -> {
          RateLimitHeaders.write(ctx.response(), accepted.quota());
          ApiRouter.json(ctx, 200, new JsonObject().put("id", accepted.ids().get(0).toString()));
        })
        .onFailure(ctx::fail);
  }

  /** The original's Reply-To when it has one (RFC 5322 §3.6.2), else its sender. */
  static String replyTarget(MessageDetail original) {
    for (MessageDetail.Header header : original.headers()) {
      if (header.name().equalsIgnoreCase("Reply-To") && !header.value().isBlank()) {
        return header.value().strip();
      }
    }
    return original.summary().fromAddress();
  }

  /** "Re: " once (RFC 5322 §3.6.5), whatever case the original's prefix has. */
  static String replySubject(String subject) {
    String s = subject == null ? "" : subject.strip();
    return s.toLowerCase(Locale.ROOT).startsWith("re:") ? s : "Re: " + s;
  }
}
