package dev.postern.send;

import dev.postern.auth.AuthenticatedKey;
import dev.postern.auth.Quotas;
import dev.postern.blob.BlobStore;
import dev.postern.blob.Sha256;
import dev.postern.db.TimeOrderedIds;
import dev.postern.delivery.DeliveryListener;
import dev.postern.queue.QueueWakeups;
import dev.postern.queue.MessageStatus;
import dev.postern.refusal.Reason;
import dev.postern.refusal.Refusal;
import dev.postern.ratelimit.Decision;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.ReadStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The only way mail enters the queue (REST, and SMTP via {@link #acceptStreamed}): sender
 * policy, quota, MIME, durable storage, announcement. A message is acknowledged only after its MIME is durably stored
 * (inline in the committed row, or fsynced in the blob store before the row commits) and its
 * queue row is committed; the database stays the source of truth, the event bus only wakes
 * delivery early.
 */
public final class SubmissionService {

  /** MIME up to this size is stored inline in its row; larger MIME goes to the blob store. */
  public static final long INLINE_LIMIT = 256 * 1024;
  private static final DateTimeFormatter BLOB_DAY = DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC);

  /**
   * What the core accepted: ids in submission order (of the submissions not skipped), the quota
   * after charging, whether this was a replay of an earlier identical request (nothing sent, no
   * quota charged, {@code quota} null), and the submissions skipped by sender policy
   * ({@link Batch#SKIP_REFUSED} only).
   */
  public record Accepted(List<UUID> ids, Decision quota, boolean replayed, List<Skipped> skipped) {}

  /** A submission left out of a {@link Batch#SKIP_REFUSED} batch, by its index in the list. */
  public record Skipped(int index, Refusal refusal) {}

  /** How a list of submissions is taken. */
  public enum Batch {
    /** One message; a refusal is the request's. */
    SINGLE,
    /** All or none; a refusal names the index of the submission it concerns. */
    ALL_OR_NOTHING,
    /** Submissions refused by sender policy are skipped and reported; the rest are accepted. */
    SKIP_REFUSED
  }

  /** Idempotency-Key of a request and the digest of its body. */
  public record Idempotency(String key, byte[] requestSha256) {}

  private final OutboundRepository outbound;
  private final BlobStore blobs;
  private final Quotas quotas;
  private final QueueWakeups wakeups;
  private final ComposedMimeStore composed;
  private final Clock clock;
  private final long maxMessageBytes;
  private final LocalDeliveryPlanner planner;

  /**
   * @param local which addresses this gateway hosts: their mail is filed at accept (issue #13.8)
   * @param localEvents told, after the commit, of each recipient settled at accept
   *     ({@code email.delivered} / {@code email.bounced}), as the delivery path tells it of relayed mail
   * @param filingWakeup run after a commit that created local filings (wakes the filing loops)
   */
  public SubmissionService(Vertx vertx, OutboundRepository outbound, BlobStore blobs, Quotas quotas,
      QueueWakeups wakeups, WorkerExecutor cpu, Clock clock, long maxMessageBytes,
      LocalMailboxes local, DeliveryListener localEvents, Runnable filingWakeup) {
    this.planner = new LocalDeliveryPlanner(local, localEvents, filingWakeup);
    this.outbound = outbound;
    this.blobs = blobs;
    this.quotas = quotas;
    this.wakeups = wakeups;
    this.composed = new ComposedMimeStore(vertx, blobs, cpu, new MimeComposer(), maxMessageBytes);
    this.clock = clock;
    this.maxMessageBytes = maxMessageBytes;
  }

  /**
   * The one way into the queue. Sender policy, then — with an idempotency key — a live record
   * short-circuits (the same request replays the first ids: nothing sent, no quota charged; a
   * different request is {@code IDEMPOTENCY_CONFLICT}); then quota, MIME, one durable commit.
   * Accepts every (unskipped) submission or none.
   */
  public Future<Accepted> accept(AuthenticatedKey key, List<Submission> submissions, String source,
      Optional<Idempotency> idempotency, Batch batch) {
    List<Submission> allowed = new ArrayList<>();
    List<Skipped> skipped = new ArrayList<>();
    for (int i = 0; i < submissions.size(); i++) {
      Optional<Refusal> refused = SenderPolicy.refusal(key, submissions.get(i).from());
      if (refused.isEmpty()) {
        allowed.add(submissions.get(i));
      } else if (batch == Batch.SKIP_REFUSED) {
        skipped.add(new Skipped(i, refused.get()));
      } else {
        return Future.failedFuture(batch == Batch.SINGLE ? refused.get() : refused.get().prefixed("[" + i + "]: "));
      }
    }
    if (allowed.isEmpty()) {
      return Future.succeededFuture(new Accepted(List.of(), null, false, skipped));
    }
    Future<Optional<OutboundRepository.IdempotencyRecord>> earlier = idempotency.isEmpty()
        ? Future.succeededFuture(Optional.empty())
        : outbound.findIdempotency(key.id(), idempotency.get().key());
    return earlier.compose(found -> {
      if (found.isPresent()) {
        return replay(found.get(), idempotency.get(), skipped);
      }
      return quotas.chargeSends(key, allowed.size()).compose(decision -> prepareAll(key, allowed, source)
              .compose(prepared -> {
                List<OutboundMessage> messages = prepared.stream().map(Prepared::row).toList();
                return commit(key, messages, atCommit(idempotency, prepared),
                    idempotency.isEmpty() && prepared.size() == 1 && prepared.get(0).resend().isPresent())
                    .andThen(result -> {
                      // Blobs whose rows did not commit (a failure, or a replay that won
                      // elsewhere) are deleted now; a crash in between is left to OrphanBlobSweeper.
                      if (result.failed() || result.result().replay().isPresent()) {
                        deleteBlobs(messages);
                      }
                    });
              })
              .andThen(result -> {
                // Only accepted messages count (SPEC §3): nothing stored, nothing charged.
                if (result.failed() || result.result().replay().isPresent()) {
                  quotas.refundSends(key, allowed.size());
                }
              })
              .compose(committed -> committed.replay().isPresent()
                  ? replay(committed.replay().get(), committed.idempotency().get(), skipped)
                  : Future.succeededFuture(new Accepted(committed.ids(), decision, false, skipped))));
    });
  }

  /**
   * The SMTP edge's way into the queue: a message received in DATA (dot-unstuffed, CRLF line
   * endings), taken through {@link #accept} like any other (source {@code smtp}). Its header
   * block is read first (caps and rewrite: {@link HeaderBlock}, {@link StreamedMessages}); sender
   * policy and quota run before the body is read; the body is stored as it arrives
   * ({@link StreamedMimeStore}), the size cap enforced on the way.
   *
   * <p>A resend after a lost reply (RFC 5321 §4.1.1.4, §6.1) — same key, same sender-chosen
   * Message-ID, same received octets, within 24 h — returns the first id, {@code replayed}, and
   * sends and charges nothing again. The same Message-ID with other octets is a new message.
   *
   * <p>The future fails with a {@link Refusal} (INVALID, TOO_LARGE, SENDER_NOT_ALLOWED, QUOTA),
   * a dependency failure (see {@code refusal.DependencyRefusals}) or the stream's own failure,
   * and then nothing is committed and no blob is left. It may fail before {@code data} ended: the
   * rest of {@code data} is then read and dropped, so the edge can go on feeding it until the
   * end of DATA and reply. Call on {@code data}'s context.
   */
  public Future<StreamedAccepted> acceptStreamed(AuthenticatedKey key, SmtpEnvelope envelope,
      ReadStream<Buffer> data, StreamOptions options) {
    ReceivedMessageStream received = new ReceivedMessageStream(data, maxMessageBytes);
    MessageDigest receivedSha256 = Sha256.fresh();
    return HeaderBlockReader.read(received)
        .compose(block -> {
          receivedSha256.update(block.raw().getBytes());
          StreamedMessages.Parsed parsed;
          try {
            parsed = StreamedMessages.parse(key, envelope, options, block, received, receivedSha256,
                clock);
          } catch (RuntimeException e) {
            return Future.failedFuture(e);
          }
          return accept(key, List.of(parsed.submission()), "smtp", Optional.empty(), Batch.SINGLE)
              .map(accepted -> new StreamedAccepted(accepted.ids().get(0), accepted.replayed(),
                  accepted.quota(), parsed.actor()));
        })
        .onFailure(err -> received.discard());
  }

  private record Committed(List<UUID> ids, Optional<OutboundRepository.IdempotencyRecord> replay,
      Optional<Idempotency> idempotency) {}

  /** A message ready to commit, and the resend key a streamed message derived while stored. */
  private record Prepared(OutboundMessage row, Optional<Idempotency> resend) {}

  /**
   * The request's idempotency key, else a single streamed message's resend key: known only once
   * its octets are stored, so its insert-or-replay happens here, at commit (a replay then
   * refunds the quota and deletes the blob like any lost race).
   */
  private static Optional<Idempotency> atCommit(Optional<Idempotency> request, List<Prepared> prepared) {
    return request.isPresent() || prepared.size() != 1 ? request : prepared.get(0).resend();
  }

  private Future<Accepted> replay(OutboundRepository.IdempotencyRecord record, Idempotency idempotency,
      List<Skipped> skipped) {
    if (!MessageDigest.isEqual(record.requestSha256(), idempotency.requestSha256())) {
      return Future.failedFuture(Refusal.of(Reason.IDEMPOTENCY_CONFLICT,
          "this Idempotency-Key was already used with a different request body"));
    }
    return Future.succeededFuture(new Accepted(record.messageIds(), null, true, skipped));
  }

  /** @param resend a streamed message's resend key, which rides in the group commit */
  private Future<Committed> commit(AuthenticatedKey key, List<OutboundMessage> messages,
      Optional<Idempotency> idempotency, boolean resend) {
    List<UUID> ids = messages.stream().map(OutboundMessage::id).toList();
    Future<Optional<OutboundRepository.IdempotencyRecord>> stored = idempotency.isEmpty()
        ? outbound.insert(messages).map(v -> Optional.empty())
        : resend ? outbound.insertRemembered(messages.get(0), key.id(), idempotency.get().key(),
            idempotency.get().requestSha256())
        : outbound.insertIdempotent(messages, key.id(), idempotency.get().key(),
            idempotency.get().requestSha256());
    return stored.compose(replayed -> {
      if (replayed.isPresent()) {
        // Lost a race with a concurrent request carrying the same key: nothing was committed.
        return Future.succeededFuture(new Committed(List.of(), replayed, idempotency));
      }
      messages.stream().filter(outbound::dueOnCommit).forEach(m -> wakeups.announce(m.id()));
      planner.announce(messages);
      return Future.succeededFuture(new Committed(ids, Optional.empty(), idempotency));
    });
  }

  private void deleteBlobs(List<OutboundMessage> messages) {
    // Best effort: a delete that fails leaves the blob to the sweeper.
    messages.stream().filter(m -> m.blobKey() != null).forEach(m -> blobs.delete(m.blobKey()));
  }

  private Future<List<Prepared>> prepareAll(AuthenticatedKey key, List<Submission> submissions,
      String source) {
    List<Future<Prepared>> prepared = new ArrayList<>();
    EventLoopComposeBudget onLoop = new EventLoopComposeBudget();
    for (Submission submission : submissions) {
      prepared.add(prepare(key, submission, source, onLoop));
    }
    return Future.all(prepared).map(all -> all.<Prepared>list());
  }

  private Future<Prepared> prepare(AuthenticatedKey key, Submission submission, String source,
      EventLoopComposeBudget onLoop) {
    // Time-ordered: the message's rows in four tables are keyed by it (db.TimeOrderedIds).
    UUID id = TimeOrderedIds.next();
    // Routed while the MIME is made: cached, so usually no query at all.
    Future<LocalPlan> plan = localDelivery(key, submission) ? planner.plan(submission)
        : Future.succeededFuture(LocalPlan.NONE);
    if (submission.mime() instanceof MimeSource.Streamed streamed) {
      return StreamedMimeStore.store(blobs, INLINE_LIMIT, () -> blobKey(id), streamed)
          .compose(stored -> plan.map(local -> new Prepared(toRow(id, key, submission, source,
                  streamed.messageId(),
                  new StoredMime(stored.inline(), stored.blobKey(), stored.size(), stored.sha256()),
                  local),
              streamed.senderMessageId()
                  ? Optional.of(StreamedMessages.resendKey(streamed.messageId(), stored.receivedSha256()))
                  : Optional.empty())));
    }
    SendRequest request = ((MimeSource.Composed) submission.mime()).request();
    MessageStamp stamp = MessageStamp.create(clock, request.from());
    Future<StoredMime> mime = composed.store(request, stamp, () -> blobKey(id), onLoop);
    return Future.all(mime, plan).map(both -> new Prepared(toRow(id, key, submission, source,
        stamp.messageId(), mime.result(), plan.result()), Optional.empty()));
  }

  /**
   * Live mail is delivered locally at accept; test-mode mail is never filed, and scheduled mail
   * waits for its time in the queue, unrouted: the delivery path routes it when it is due
   * ({@code delivery.ClaimedLocalDelivery}, docs/contract.md "Scheduled mail").
   */
  private boolean localDelivery(AuthenticatedKey key, Submission submission) {
    return !key.sandboxed()
        && submission.scheduledAt().filter(at -> at.isAfter(clock.instant())).isEmpty();
  }

  record StoredMime(Buffer inline, String blobKey, long size, byte[] sha256) {}

  private OutboundMessage toRow(UUID id, AuthenticatedKey key, Submission submission, String source,
      String messageId, StoredMime mime, LocalPlan local) {
    Instant now = clock.instant();
    Optional<Instant> scheduled = submission.scheduledAt().filter(at -> at.isAfter(now));
    if (local.filings().stream().anyMatch(LocalPlan.Filing::encrypted)) {
      local = local.withClearFacts(LocalDeliveryPlanner.clearFacts(submission, messageId, now));
    }
    boolean relayed = local.leavesForRelays(submission.recipients());
    MessageStatus status = key.sandboxed() ? MessageStatus.SANDBOXED
        : scheduled.isPresent() ? MessageStatus.SCHEDULED
        : relayed ? MessageStatus.QUEUED : local.settledStatus(submission.recipients());
    Submission.HeaderSummary headers = submission.headers();
    JsonArray tags = new JsonArray();
    headers.tags().forEach(t -> tags.add(new JsonObject().put("name", t.name()).put("value", t.value())));
    return new OutboundMessage(id, key.id(), key.domainId(), key.mailboxId(), key.mode().wire(), source,
        messageId, submission.envelopeSender(), headers.from(),
        headers.to(), headers.cc(), headers.bcc(), headers.replyTo(),
        headers.subject(), tags, headers.inReplyTo().orElse(null), status,
        mime.inline(), mime.blobKey(), mime.size(), mime.sha256(), scheduled.orElse(null),
        submission.recipients(), !key.sandboxed() && relayed, scheduled.orElse(now), local);
  }

  private String blobKey(UUID id) {
    return "out/" + BLOB_DAY.format(clock.instant()) + "/" + id + ".eml";
  }
}
