package dev.postern.inbound.accept;

import dev.postern.blob.BlobStore;
import dev.postern.blob.Sha256;
import dev.postern.db.CoalescedNotify;
import dev.postern.db.TimeOrderedIds;
import dev.postern.inbound.parse.ClearFacts;
import dev.postern.inbound.parse.ParsedMail;
import dev.postern.inbound.pgp.OpenPgpStreamEncryptor;
import dev.postern.mailboxes.EncryptionTier;
import dev.postern.refusal.DependencyRefusals;
import dev.postern.refusal.Reason;
import dev.postern.refusal.Refusal;
import dev.postern.send.StreamedMimeStore;
import dev.postern.send.SubmissionService;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.ReadStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
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
 *   <li>The recipients split by tier (issue #13 item 6). For {@code plaintext} mailboxes: a
 *       {@code Received:} field ({@link ReceivedField}) and then the received octets, untouched,
 *       stored as they arrive ({@link StreamedMimeStore#storeReceived}): inline up to the send
 *       path's inline limit, else the blob {@code in/yyyy/MM/dd/<raw id>.eml}. For
 *       {@code standard} mailboxes: the same octets, OpenPGP-encrypted as they arrive to every
 *       such mailbox's public key ({@link OpenPgpStreamEncryptor}, on the {@code postern-cpu}
 *       pool), stored the same way as a second raw with {@code encrypted = true}; its plaintext
 *       exists only in the chunks in memory — never in the database, the blob store, a temporary
 *       file or the log. Both read one DATA stream ({@link DataTee}): the slower paces the
 *       sender. Never more in memory than the inline limit and a chunk per raw, plus the header
 *       block (at most 64 KiB); over the message size limit the stream fails (552 5.3.4) and
 *       nothing is kept.</li>
 *   <li>The encrypted raw's {@code clear_facts} ({@link ClearFacts}: Message-ID, In-Reply-To,
 *       References, From, To, Cc, Date) are read from the header block in memory, so it can be
 *       listed and threaded; subject and bodies stay in the ciphertext.</li>
 *   <li>One statement inserts the {@code inbound_raw} row(s) and one {@code inbound_deliveries}
 *       row per mailbox, sharing its commit with concurrent accepts ({@link InboundRepository});
 *       after the commit, a coalesced {@code pg_notify('postern_inbound', '')}
 *       wakes filing on every node.</li>
 * </ol>
 *
 * <p>A retry after a lost 250 (RFC 5321 §4.1.1.4, §6.1): a message with a Message-ID gets the
 * dedupe key {@code hex(sha256(Message-ID)) + ':' + hex(sha256(received octets))}; a mailbox that
 * already has a delivery with that key from the last 24 hours gets no new one (still 250), and a
 * raw none of whose mailboxes needs it is not kept. Concurrent retries are arbitrated by the
 * key's row in {@code inbound_dedupe} ({@link InboundInsert}), with no extra round trip.
 *
 * <p>Failures (database or blob store unreachable, the stream failed, a mailbox's key unusable)
 * commit nothing and delete the blobs; a crash between blob and commit leaves blobs no row names,
 * which the orphan sweep removes. A {@code standard}-tier mailbox without a public key is refused
 * as temporarily unavailable (the operator must set one; the sender's queue keeps the mail).
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
   * @param rawId the stored message ({@code inbound_raw.id}; the plaintext one when there are
   *     two); for a retry whose every mailbox already had it, the earlier one's
   * @param rawIds the {@code inbound_raw} rows inserted (none for such a retry)
   * @param deliveries the {@code inbound_deliveries} rows created (none for such a retry)
   */
  public record Accepted(UUID rawId, List<UUID> rawIds, List<UUID> deliveries) {
    public boolean duplicate() {
      return deliveries.isEmpty();
    }
  }

  private final InboundRepository repository;
  private final BlobStore blobs;
  private final RecipientResolver resolver;
  private final Runnable wakeFiling;
  private final WorkerExecutor cpu;
  private final Clock clock;
  private final String serverName;
  private final long maxMessageBytes;

  /**
   * @param wakeFiling called after each commit of new deliveries, from any thread: wakes this
   *     node's filing at once and the other nodes' through a {@link CoalescedNotify}
   * @param cpu the CPU pool: OpenPGP key handling and encryption, never on an event loop
   */
  public InboundAcceptor(InboundRepository repository, BlobStore blobs, RecipientResolver resolver,
      Runnable wakeFiling, WorkerExecutor cpu, Clock clock, String serverName,
      long maxMessageBytes) {
    this.repository = repository;
    this.cpu = cpu;
    this.blobs = blobs;
    this.resolver = resolver;
    this.wakeFiling = wakeFiling;
    this.clock = clock;
    this.serverName = serverName;
    this.maxMessageBytes = maxMessageBytes;
  }

  /**
   * The MX's RCPT check: the resolver's answer, and a {@code standard}-tier mailbox without a
   * public key refused as temporarily unavailable.
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
    Instant now = clock.instant();
    List<ResolvedRecipient> plain = targets.stream()
        .filter(t -> t.tier() == EncryptionTier.PLAINTEXT).toList();
    List<ResolvedRecipient> standard = targets.stream()
        .filter(t -> t.tier() == EncryptionTier.STANDARD).toList();
    UUID plainId = plain.isEmpty() ? null : TimeOrderedIds.next();
    UUID encryptedId = standard.isEmpty() ? null : TimeOrderedIds.next();
    Buffer received = ReceivedField.of(envelope.helo(), envelope.client(), serverName,
        envelope.esmtp(), envelope.tls(), plainId != null ? plainId : encryptedId,
        envelope.recipients(), now);
    HeaderCapture header = new HeaderCapture();
    MessageDigest receivedDigest = Sha256.fresh();
    DataTee tee = new DataTee(data, maxMessageBytes, chunk -> {
      header.accept(chunk);
      receivedDigest.update(chunk.getBytes());
    });
    List<Future<InboundRepository.Raw>> raws = new ArrayList<>();
    if (plainId != null) {
      ReadStream<Buffer> branch = tee.branch();
      raws.add(StreamedMimeStore.storeReceived(blobs, SubmissionService.INLINE_LIMIT,
              () -> blobKey(now, plainId), received, branch, Long.MAX_VALUE, chunk -> {})
          .map(stored -> raw(envelope, plainId, false, null, stored)));
    }
    if (encryptedId != null) {
      ReadStream<Buffer> branch = tee.branch();
      List<String> keys = standard.stream().map(ResolvedRecipient::pgpPublicKey).toList();
      // The clear facts are read once the whole message (so its whole header block) has passed.
      raws.add(OpenPgpStreamEncryptor.to(keys, cpu)
          .compose(encryptor -> StreamedMimeStore.storeReceived(blobs,
              SubmissionService.INLINE_LIMIT, () -> blobKey(now, encryptedId), Buffer.buffer(),
              encryptor.encryptOn(cpu, received, branch), Long.MAX_VALUE, chunk -> {}))
          .map(stored -> raw(envelope, encryptedId, true, storable(ClearFacts.of(header.fields()
              .stream().map(f -> new ParsedMail.HeaderField(f.name(), f.value())).toList())),
              stored)));
    }
    // A writer that fails (a blob put, a bad key) fails the others and drains the sender.
    raws.forEach(raw -> raw.onFailure(tee::fail));
    tee.start();
    return Future.join(raws).transform(all -> {
      if (all.failed()) {
        raws.stream().filter(Future::succeeded).forEach(r -> deleteBlob(r.result().blobKey()));
        return Future.failedFuture(firstCause(raws));
      }
      List<InboundRepository.RawFor> batches = new ArrayList<>();
      int next = 0;
      if (plainId != null) {
        batches.add(new InboundRepository.RawFor(raws.get(next++).result(), plain));
      }
      if (encryptedId != null) {
        batches.add(new InboundRepository.RawFor(raws.get(next).result(), standard));
      }
      Optional<String> dedupeKey = dedupeKey(header, receivedDigest.digest());
      return repository.commit(batches, dedupeKey).andThen(committed -> {
        for (InboundRepository.RawFor batch : batches) {
          if (committed.failed() || !committed.result().rawIds().contains(batch.raw().id())) {
            deleteBlob(batch.raw().blobKey());
          }
        }
        if (committed.succeeded() && !committed.result().duplicate()) {
          wakeFiling.run();
        }
      });
    });
  }

  private static InboundRepository.Raw raw(InboundEnvelope envelope, UUID id, boolean encrypted,
      JsonObject clearFacts, StreamedMimeStore.Stored stored) {
    return new InboundRepository.Raw(id, "mx",
        envelope.client() == null ? null : envelope.client().getHostAddress(), envelope.helo(),
        envelope.mailFrom(), encrypted, clearFacts, stored.inline(), stored.blobKey(),
        stored.size());
  }

  /**
   * The clear facts as {@code jsonb} takes them: PostgreSQL refuses U+0000 in any text
   * (its JSON escape in jsonb included), and an RFC 2047 word can decode to it ({@code =00}), so
   * such a message would be refused with 451 at every retry. Each U+0000 becomes U+FFFD.
   */
  static JsonObject storable(JsonObject facts) {
    JsonObject out = new JsonObject();
    facts.forEach(entry -> out.put(entry.getKey(), storableValue(entry.getValue())));
    return out;
  }

  private static Object storableValue(Object value) {
    if (value instanceof String text) {
      return text.replace('\u0000', '\uFFFD');
    }
    if (value instanceof JsonArray array) {
      JsonArray out = new JsonArray();
      array.forEach(element -> out.add(storableValue(element)));
      return out;
    }
    if (value instanceof JsonObject object) {
      return storable(object);
    }
    return value;
  }

  private static String blobKey(Instant now, UUID rawId) {
    return "in/" + BLOB_DAY.format(now) + "/" + rawId + ".eml";
  }

  /** A refusal (the size cap) over the failures it caused in the other writers. */
  private static Throwable firstCause(List<? extends Future<?>> futures) {
    Throwable first = null;
    for (Future<?> f : futures) {
      if (f.failed()) {
        if (f.cause() instanceof Refusal) {
          return f.cause();
        }
        first = first == null ? f.cause() : first;
      }
    }
    return first;
  }

  /** Without a Message-ID there is nothing to recognise a retry by (the design's NULL key). */
  static Optional<String> dedupeKey(HeaderCapture header, byte[] receivedSha256) {
    return header.first("Message-ID").filter(id -> !id.isEmpty()).map(id -> {
      HexFormat hex = HexFormat.of();
      return hex.formatHex(Sha256.of(id.getBytes(StandardCharsets.UTF_8))) + ":"
          + hex.formatHex(receivedSha256);
    });
  }

  private static Future<ResolvedRecipient> servable(ResolvedRecipient target) {
    if (target.tier() == EncryptionTier.PLAINTEXT
        || (target.pgpPublicKey() != null && !target.pgpPublicKey().isBlank())) {
      return Future.succeededFuture(target);
    }
    return Future.failedFuture(Refusal.of(Reason.UNAVAILABLE,
        "the standard-tier mailbox has no public key to encrypt its mail to"));
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
}
