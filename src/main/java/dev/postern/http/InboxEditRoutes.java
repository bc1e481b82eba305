package dev.postern.http;

import dev.postern.inbound.inbox.Folders;
import dev.postern.inbound.inbox.InboxEdits;
import dev.postern.inbound.inbox.InboxEdits.Change;
import dev.postern.inbound.inbox.InboxMailbox;
import dev.postern.inbound.inbox.InboxService;
import dev.postern.inbound.inbox.MessageSummary;
import dev.postern.keys.Scope;
import dev.postern.refusal.Issue;
import dev.postern.refusal.Refusal;
import dev.postern.send.RequestJson;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code PATCH} and {@code DELETE /v1/inbox/messages/:id} (SPEC §3, scope {@code inbox:write}):
 * any subset of {@code is_read}, {@code is_starred}, {@code folder}; DELETE moves to
 * {@code trash}. Both answer the message as it is afterwards in the read shape (the list item
 * only, when its bodies are not readable: a {@code standard}-tier mailbox or an encrypted
 * message, which can still be marked and moved). A body without any of the three fields
 * (empty, or {@code {}}) answers {@code {"ok": true, "no_op": true}} once the message is found.
 * Unknown fields are ignored, as in a send body. Charged to the inbox budget like every inbox call.
 */
public final class InboxEditRoutes implements RouteGroup {

  private final ApiKeyAuth auth;
  private final QuotaSteps quotas;
  private final InboxService inbox;
  private final InboxEdits edits;
  private final RequestJson json = new RequestJson();

  public InboxEditRoutes(ApiKeyAuth auth, QuotaSteps quotas, InboxService inbox, InboxEdits edits) {
    this.auth = auth;
    this.quotas = quotas;
    this.inbox = inbox;
    this.edits = edits;
  }

  @Override
  public void mount(Router router, Handler<RoutingContext> body) {
    router.patch("/v1/inbox/messages/:id").handler(body).handler(auth.authenticate())
        .handler(InboxRoutes::literalPath).handler(auth.require(Scope.INBOX_WRITE))
        .handler(quotas.chargeInboxRead()).handler(this::patch);
    router.delete("/v1/inbox/messages/:id").handler(auth.authenticate())
        .handler(InboxRoutes::literalPath).handler(auth.require(Scope.INBOX_WRITE))
        .handler(quotas.chargeInboxRead()).handler(this::delete);
  }

  private void patch(RoutingContext ctx) {
    Change change;
    try {
      change = change(json, ctx.body().buffer());
    } catch (Refusal refusal) {
      ctx.fail(refusal);
      return;
    }
    mailbox(ctx).compose(mailbox -> edits.apply(mailbox, ctx.pathParam("id"), change)
            .compose(message -> change.isEmpty()
                ? Future.succeededFuture(new JsonObject().put("ok", true).put("no_op", true))
                : view(mailbox, message)))
        .onSuccess(answer -> ApiRouter.json(ctx, 200, answer))
        .onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    mailbox(ctx).compose(mailbox -> edits.trash(mailbox, ctx.pathParam("id"))
            .compose(message -> view(mailbox, message)))
        .onSuccess(answer -> ApiRouter.json(ctx, 200, answer))
        .onFailure(ctx::fail);
  }

  /** The read shape when bodies are readable, else the list item (subject and preview null). */
  private Future<JsonObject> view(InboxMailbox mailbox, MessageSummary message) {
    if (!mailbox.bodiesReadable() || message.encrypted()) {
      return Future.succeededFuture(InboxJson.summary(message));
    }
    return inbox.message(mailbox, message.id().toString()).map(InboxJson::detail);
  }

  private Future<InboxMailbox> mailbox(RoutingContext ctx) {
    String selector = InboxRoutes.param(ctx, "mailbox");
    return inbox.mailbox(ApiKeyAuth.key(ctx),
        selector != null ? selector : InboxRoutes.param(ctx, "email"));
  }

  /**
   * The PATCH body: nothing (or only whitespace) is no change; otherwise a JSON object whose
   * {@code is_read} / {@code is_starred} are booleans and {@code folder} a folder name. Every
   * wrong field is reported, as a 400 {@code validation_error}.
   */
  static Change change(RequestJson json, Buffer raw) {
    if (raw == null || raw.toString(java.nio.charset.StandardCharsets.ISO_8859_1).isBlank()) {
      return Change.NONE;
    }
    JsonObject body = json.object(raw);
    List<Issue> issues = new ArrayList<>();
    Boolean read = bool(body, "is_read", issues);
    Boolean starred = bool(body, "is_starred", issues);
    String folder = null;
    if (body.containsKey("folder")) {
      if (body.getValue("folder") instanceof String name && Folders.valid(name)) {
        folder = name;
      } else {
        issues.add(new Issue("folder", "must be a string of 1 to 64 characters without control characters"));
      }
    }
    if (!issues.isEmpty()) {
      throw Refusal.invalid(issues);
    }
    return new Change(read, starred, folder);
  }

  private static Boolean bool(JsonObject body, String field, List<Issue> issues) {
    if (!body.containsKey(field)) {
      return null;
    }
    if (body.getValue(field) instanceof Boolean value) {
      return value;
    }
    issues.add(new Issue(field, "must be true or false"));
    return null;
  }
}
