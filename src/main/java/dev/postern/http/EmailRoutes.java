package dev.postern.http;

import dev.postern.auth.AuthenticatedKey;
import dev.postern.keys.Scope;
import dev.postern.refusal.Issue;
import dev.postern.refusal.Refusal;
import dev.postern.send.OutboundRepository;
import dev.postern.send.RequestJson;
import dev.postern.send.SendRequestParser;
import dev.postern.send.Submission;
import dev.postern.send.SubmissionService;
import dev.postern.send.SubmissionService.Accepted;
import dev.postern.send.SubmissionService.Batch;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;

/**
 * The Resend-compatible send API (SPEC §3): {@code POST /v1/emails}, {@code POST /v1/emails/batch},
 * {@code GET /v1/emails/:id}.
 */
public final class EmailRoutes implements RouteGroup {

  public static final int MAX_BATCH = 100;
  /** Bodies above this are parsed on a worker, not the event loop. */
  private static final int EVENT_LOOP_PARSE_LIMIT = 256 * 1024;

  private final ApiKeyAuth auth;
  private final QuotaSteps quotas;
  private final SubmissionService submissions;
  private final OutboundRepository outbound;
  private final SendRequestParser parser;
  private final RequestJson json = RequestJson.viewing("content");
  private final WorkerExecutor cpu;

  public EmailRoutes(ApiKeyAuth auth, QuotaSteps quotas, SubmissionService submissions,
      OutboundRepository outbound, SendRequestParser parser, WorkerExecutor cpu) {
    this.auth = auth;
    this.quotas = quotas;
    this.submissions = submissions;
    this.outbound = outbound;
    this.parser = parser;
    this.cpu = cpu;
  }

  @Override
  public void mount(Router router, Handler<RoutingContext> body) {
    // The key is checked from the headers while the body waits unread (issue #15 item 1).
    router.post("/v1/emails/batch").handler(HOLD_BODY).handler(auth.authenticate())
        .handler(auth.require(Scope.EMAILS_SEND)).handler(body).handler(this::sendBatch);
    router.post("/v1/emails").handler(HOLD_BODY).handler(auth.authenticate())
        .handler(auth.require(Scope.EMAILS_SEND)).handler(body).handler(this::send);
    router.get("/v1/emails/:id").handler(auth.authenticate()).handler(auth.require(Scope.EMAILS_READ))
        .handler(quotas.sendHeaders()).handler(this::get);
  }

  private void send(RoutingContext ctx) {
    AuthenticatedKey key = ApiKeyAuth.key(ctx);
    Buffer raw = ctx.body().buffer();
    parse(raw, b -> parser.parse(json.object(b)))
        .compose(request -> submissions.accept(key, List.of(Submission.composed(request)), "api",
            idempotency(ctx, raw), Batch.SINGLE))
        .onSuccess(accepted -> respond(ctx, accepted, new JsonObject().put("id", accepted.ids().get(0).toString())))
        .onFailure(ctx::fail);
  }

  /**
   * A JSON array of send bodies. {@code x-batch-validation: strict} (the default, what the Resend
   * SDK sends) refuses the whole batch if any item is invalid; {@code permissive} sends the valid
   * items and lists the others in {@code errors}.
   */
  private void sendBatch(RoutingContext ctx) {
    AuthenticatedKey key = ApiKeyAuth.key(ctx);
    Buffer raw = ctx.body().buffer();
    boolean permissive = "permissive".equalsIgnoreCase(ctx.request().getHeader("x-batch-validation"));
    parse(raw, json::array).compose(items -> {
      if (items.isEmpty() || items.size() > MAX_BATCH) {
        throw ApiException.validation("body", "a batch holds 1 to " + MAX_BATCH + " emails");
      }
      List<Submission> valid = new ArrayList<>();
      List<Integer> validIndexes = new ArrayList<>();
      Map<Integer, Refusal> refused = new TreeMap<>();
      for (int i = 0; i < items.size(); i++) {
        try {
          if (!(items.getValue(i) instanceof JsonObject item)) {
            throw Refusal.invalid("", "must be an email object");
          }
          valid.add(Submission.composed(parser.parse(item)));
          validIndexes.add(i);
        } catch (Refusal e) {
          refused.put(i, e);
        }
      }
      if (!permissive && !refused.isEmpty()) {
        throw Refusal.invalid(issues(refused));
      }
      if (valid.isEmpty()) {
        throw Refusal.invalid(issues(refused));
      }
      return submissions.accept(key, valid, "api", idempotency(ctx, raw),
              permissive ? Batch.SKIP_REFUSED : Batch.ALL_OR_NOTHING)
          .map(accepted -> {
            // Sender-policy refusals name the item by its index in the request.
            accepted.skipped().forEach(s -> refused.put(validIndexes.get(s.index()), s.refusal()));
            if (accepted.ids().isEmpty()) {
              throw Refusal.invalid(issues(refused));
            }
            return accepted;
          })
          .onSuccess(accepted -> respond(ctx, accepted, batchBody(accepted.ids(),
              permissive ? errors(refused) : null)));
    }).onFailure(ctx::fail);
  }

  /** Each refused item's issues, with paths prefixed by the item's index. */
  private static List<Issue> issues(Map<Integer, Refusal> refused) {
    List<Issue> issues = new ArrayList<>();
    refused.forEach((i, e) -> {
      for (Issue issue : e.issues().isEmpty() ? List.of(new Issue("", e.getMessage())) : e.issues()) {
        issues.add(new Issue("[" + i + "]" + (issue.path().isEmpty() ? "" : "." + issue.path()), issue.message()));
      }
    });
    return issues;
  }

  private static JsonArray errors(Map<Integer, Refusal> refused) {
    JsonArray errors = new JsonArray();
    refused.forEach((i, e) -> errors.add(new JsonObject().put("index", i).put("message", e.getMessage())));
    return errors;
  }

  private void get(RoutingContext ctx) {
    AuthenticatedKey key = ApiKeyAuth.key(ctx);
    UUID id;
    try {
      id = UUID.fromString(ctx.pathParam("id"));
    } catch (IllegalArgumentException e) {
      ctx.fail(new ApiException(ApiError.NOT_FOUND, "no such email"));
      return;
    }
    outbound.findVisible(id, key.mailboxId(), key.domainId(), key.mode())
        .onSuccess(found -> {
          if (found.isEmpty()) {
            ctx.fail(new ApiException(ApiError.NOT_FOUND, "no such email"));
          } else {
            ApiRouter.json(ctx, 200, found.get());
          }
        })
        .onFailure(ctx::fail);
  }

  /** A replay renders the first request's ids the same way, marked, without quota headers. */
  private void respond(RoutingContext ctx, Accepted accepted, JsonObject body) {
    if (accepted.replayed()) {
      ctx.response().putHeader("Idempotent-Replayed", "true");
    } else {
      RateLimitHeaders.write(ctx.response(), accepted.quota());
    }
    ApiRouter.json(ctx, 200, body);
  }

  private static JsonObject batchBody(List<UUID> ids, JsonArray errors) {
    JsonArray data = new JsonArray();
    ids.forEach(id -> data.add(new JsonObject().put("id", id.toString())));
    JsonObject body = new JsonObject().put("data", data);
    if (errors != null) {
      body.put("errors", errors);
    }
    return body;
  }

  /** Small bodies parse on the event loop; large ones (attachments) on a worker. */
  private <T> Future<T> parse(Buffer raw, Function<Buffer, T> parse) {
    if (raw == null || raw.length() == 0) {
      return Future.failedFuture(ApiException.validation("body", "a JSON body is required"));
    }
    if (raw.length() <= EVENT_LOOP_PARSE_LIMIT) {
      try {
        return Future.succeededFuture(parse.apply(raw));
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    }
    return cpu.executeBlocking(() -> parse.apply(raw), false);
  }

  /** {@code Idempotency-Key} (1–256 printable ASCII) and the digest of this exact request. */
  private static Optional<SubmissionService.Idempotency> idempotency(RoutingContext ctx, Buffer raw) {
    String key = ctx.request().getHeader("Idempotency-Key");
    if (key == null) {
      return Optional.empty();
    }
    if (key.isEmpty() || key.length() > 256 || !key.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
      throw ApiException.validation("Idempotency-Key", "must be 1 to 256 printable ASCII characters");
    }
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(ctx.request().path().getBytes(StandardCharsets.UTF_8));
      digest.update((byte) '\n');
      digest.update(raw.getBytes());
      return Optional.of(new SubmissionService.Idempotency(key, digest.digest()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
