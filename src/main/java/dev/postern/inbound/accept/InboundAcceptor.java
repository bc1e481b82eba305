package dev.postern.inbound.accept;

import dev.postern.blob.BlobStore;
import dev.postern.db.CoalescedNotify;
import dev.postern.mailboxes.EncryptionTier;
import dev.postern.refusal.DependencyRefusals;
import dev.postern.refusal.Reason;
import dev.postern.refusal.Refusal;
import dev.postern.send.StreamedMimeStore;
import dev.postern.send.SubmissionService;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes responsibility for a message arriving at the MX (RFC 5321 §6.1: after the 250 it must
 * not be lost): the one place an inbound message becomes durable, and the only acknowledgement
 * point — its future completes only after the commit.
 *
 * <ol>
 *   <li>The recipients are resolved again ({@link RecipientResolver}, cached since RCPT); one
 *       delivery per mailbox, the first recipient naming it kept.</li>
 *   <li>A {@code Received:} field ({@link ReceivedField}) and then the received octets, untouched,
 *       are stored as they arrive ({@link StreamedMimeStore#storeReceived}): inline up to the
 *       send path's inline limit, else the blob {@code in/yyyy/MM/dd/<raw id>.eml}; never more
 *       in memory than that limit and a chunk (plus the header block, at most 64 KiB); over the
 *       message size limit the stream fails (552 5.3.4) and nothing is kept.</li>
 *   <li>One transaction inserts the {@code inbound_raw} row and one {@code inbound_deliveries}
 *       row per mailbox; after the commit, a coalesced {@code pg_notify('postern_inbound', '')}
 *       wakes filing on every node.</li>
 * </ol>
 *
 * <p>A retry after a lost 250 (RFC 5321 §4.1.1.4, §6.1): a message with a Message-ID gets the
 * dedupe key {@code hex(sha256(Message-ID)) + ':' + hex(sha256(received octets))}; a mailbox that
 * already has a delivery with that key from the last 24 hours gets no new one (still 250).
 * Concurrent retries are serialised on a transaction-scoped advisory lock of the key.
 *
 * <p>Failures (database or blob store unreachable, the stream failed) commit nothing and delete
 * the blob; a crash between blob and commit leaves a blob no row names, which the orphan sweep
 * removes. Only {@code plaintext}-tier mailboxes are served here so far: a {@code standard}-tier
 * mailbox's mail must never be written in plaintext, and until its OpenPGP storage exists it is
 * refused as temporarily unavailable (the sender's queue keeps it).
 */
public final class InboundAcceptor {

  private static final Logger log = LoggerFactory.getLogger(InboundAcceptor.class);

  /** Wakes the filing loops of every node after new deliveries committed. */
  public static final String NOTIFY_CHANNEL = "postern_inbound";

  private static final DateTimeFormatter BLOB_DAY = DateTimeFormatter.ofPattern("yyyy/MM/dd")
      .withZone(ZoneOffset.UTC);

  /**
   * What was committed.
   *
   * @param rawId the stored message ({@code inbound_raw.id}); for a retry whose every mailbox
   *     already had it, the earlier one's
   * @param deliveries the {@code inbound_deliveries} rows created (none for such a retry)
   */
  public record Accepted(UUID rawId, List<UUID> deliveries) {
    public boolean duplicate() {
      return deliveries.isEmpty();
    }
  }

  private final InboundRepository repository;
  private final BlobStore blobs;
  private final RecipientResolver resolver;
  private final CoalescedNotify wakeups;
  private final Clock clock;
  private final String serverName;
  private final long maxMessageBytes;

  public InboundAcceptor(InboundRepository repository, BlobStore blobs, RecipientResolver resolver,
      CoalescedNotify wakeups, Clock clock, String serverName, long maxMessageBytes) {
    this.repository = repository;
    this.blobs = blobs;
    this.resolver = resolver;
    this.wakeups = wakeups;
    this.clock = clock;
    this.serverName = serverName;
    this.maxMessageBytes = maxMessageBytes;
  }

  /**
   * The MX's RCPT check: the resolver's answer, and a {@code standard}-tier mailbox refused as
   * temporarily unavailable while its encrypted storage is not built.
   */
  public Future<Void> check(String recipient) {
    return resolver.resolve(recipient).compose(InboundAcceptor::servable).mapEmpty();
  }

  /**
   * Stores and commits the message read from {@code data}; call on {@code data}'s context. Fails
   * with a {@link Refusal} (TOO_LARGE; a recipient refused since RCPT when none is left) or a
   * dependency failure, and then nothing is committed and no blob is left.
   */
  public Future<Accepted> accept(InboundEnvelope envelope, ReadStream<Buffer> data) {
    data.pause();
    return resolveAll(envelope.recipients()).compose(targets -> store(envelope, targets, data))
        .onFailure(e -> {
          if (!(e instanceof Refusal) && DependencyRefusals.of(e).isEmpty()) {
            log.error("inbound message not accepted (answered 451)", e);
          }
        });
  }

  /**
   * Every recipient again (the cache makes this cheap): a temporary refusal of any (a mailbox
   * filled up since RCPT) fails the whole message with it, so the sender retries and the
   * dedupe key keeps the others from getting it twice; a recipient permanently refused since
   * RCPT (its mailbox deleted) is dropped, and the message fails only when none is left.
   */
  private Future<List<ResolvedRecipient>> resolveAll(List<String> recipients) {
    List<Future<ResolvedRecipient>> lookups = new ArrayList<>();
    for (String recipient : recipients) {
      lookups.add(resolver.resolve(recipient).compose(InboundAcceptor::servable));
    }
    return Future.join(lookups).transform(done -> {
      Map<UUID, ResolvedRecipient> byMailbox = new LinkedHashMap<>();
      Throwable permanent = null;
      for (Future<ResolvedRecipient> lookup : lookups) {
        if (lookup.succeeded()) {
          byMailbox.putIfAbsent(lookup.result().mailboxId(), lookup.result());
        } else if (lookup.cause() instanceof Refusal refusal && permanent(refusal)) {
          permanent = refusal;
        } else {
          return Future.failedFuture(lookup.cause());
        }
      }
      if (byMailbox.isEmpty()) {
        return Future.failedFuture(permanent != null ? permanent
            : Refusal.of(Reason.RECIPIENT_UNKNOWN, "no recipient"));
      }
      return Future.succeededFuture(List.copyOf(byMailbox.values()));
    });
  }

  private Future<Accepted> store(InboundEnvelope envelope, List<ResolvedRecipient> targets,
      ReadStream<Buffer> data) {
    UUID rawId = UUID.randomUUID();
    Instant now = clock.instant();
    Buffer received = ReceivedField.of(envelope.helo(), envelope.client(), serverName,
        envelope.esmtp(), envelope.tls(), rawId, envelope.recipients(), now);
    HeaderCapture header = new HeaderCapture();
    return StreamedMimeStore.storeReceived(blobs, SubmissionService.INLINE_LIMIT,
            () -> "in/" + BLOB_DAY.format(now) + "/" + rawId + ".eml", received, data,
            maxMessageBytes, header)
        .compose(stored -> {
          InboundRepository.Raw raw = new InboundRepository.Raw(rawId, "mx",
              envelope.client() == null ? null : envelope.client().getHostAddress(),
              envelope.helo(), envelope.mailFrom(), false, null, stored.inline(),
              stored.blobKey(), stored.size());
          Optional<String> dedupeKey = dedupeKey(header, stored.receivedSha256());
          return repository.commit(raw, targets, dedupeKey)
              .andThen(committed -> {
                if (committed.failed() || committed.result().duplicate()) {
                  deleteBlob(stored.blobKey());
                }
                if (committed.succeeded() && !committed.result().duplicate()) {
                  wakeups.ring();
                }
              });
        });
  }

  /** Without a Message-ID there is nothing to recognise a retry by (the design's NULL key). */
  static Optional<String> dedupeKey(HeaderCapture header, byte[] receivedSha256) {
    return header.first("Message-ID").filter(id -> !id.isEmpty()).map(id -> {
      HexFormat hex = HexFormat.of();
      return hex.formatHex(sha256(id.getBytes(StandardCharsets.UTF_8))) + ":"
          + hex.formatHex(receivedSha256);
    });
  }

  private static Future<ResolvedRecipient> servable(ResolvedRecipient target) {
    if (target.tier() == EncryptionTier.PLAINTEXT) {
      return Future.succeededFuture(target);
    }
    return Future.failedFuture(Refusal.of(Reason.UNAVAILABLE,
        "encrypted (standard-tier) mailboxes cannot receive mail yet"));
  }

  private static boolean permanent(Refusal refusal) {
    return refusal.reason() == Reason.RECIPIENT_UNKNOWN || refusal.reason() == Reason.RELAY_DENIED;
  }

  private void deleteBlob(String key) {
    if (key != null) {
      // Best effort: a delete that fails leaves the blob to the orphan sweep.
      blobs.delete(key);
    }
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
