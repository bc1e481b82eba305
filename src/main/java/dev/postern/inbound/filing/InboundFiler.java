package dev.postern.inbound.filing;

import dev.postern.blob.BlobStore;
import dev.postern.inbound.parse.MailParser;
import dev.postern.inbound.store.FiledMessage;
import dev.postern.inbound.store.MailStore;
import dev.postern.inbound.store.NewMessage;
import dev.postern.webhooks.WebhookDispatcher;
import dev.postern.webhooks.WebhookEvents;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files one claimed delivery (the {@link dev.postern.queue.ClaimLoop} worker): reads its raw,
 * parses a plaintext raw on the CPU pool (an encrypted raw gives its clear facts), files it with
 * the delivery marked {@code filed} in the same transaction, then emits {@code email.received}.
 * A raw shared by several deliveries in hand is read and parsed once. A message that does not
 * parse is filed anyway, flagged {@code parse_failed}; a failure to read the raw or to write the
 * store is retried with back-off, and the delivery is marked {@code failed} after the bound.
 *
 * <p>Confined to the event loop of its claim loop (the shared-parse map is not synchronised).
 */
final class InboundFiler {

  private static final Logger log = LoggerFactory.getLogger(InboundFiler.class);

  /** One raw's contents, shared by the deliveries in hand that file it. */
  private static final class Shared {
    final Future<MessageContents> contents;
    int users;

    Shared(Future<MessageContents> contents) {
      this.contents = contents;
    }
  }

  private final InboundWorkQueue queue;
  private final MailStore store;
  private final BlobStore blobs;
  private final MailParser parser;
  private final WorkerExecutor cpu;
  private final WebhookDispatcher webhooks;
  private final FilingSettings settings;
  private final Map<UUID, Shared> inHand = new HashMap<>();

  InboundFiler(InboundWorkQueue queue, MailStore store, BlobStore blobs, MailParser parser,
      WorkerExecutor cpu, WebhookDispatcher webhooks, FilingSettings settings) {
    this.queue = queue;
    this.store = store;
    this.blobs = blobs;
    this.parser = parser;
    this.cpu = cpu;
    this.webhooks = webhooks;
    this.settings = settings;
  }

  /** @return when to look again (a retry's delay), or null */
  Future<Duration> file(InboundDelivery delivery) {
    return contentsOf(delivery)
        .compose(contents -> store.file(message(delivery, contents),
            (tx, messageId) -> queue.markFiled(tx, delivery.id(), messageId))
            .map(filed -> {
              // A sent copy (local delivery, issue #13.8) is the mailbox's own mail, not received
              // mail: it is a store change like any other (the live stream shows it), but no
              // email.received.
              if (!filed.alreadyFiled() && !"sent".equals(delivery.folder())) {
                announce(delivery, contents, filed);
              }
              return (Duration) null;
            }))
        .recover(e -> retryOrFail(delivery, e));
  }

  private Future<MessageContents> contentsOf(InboundDelivery d) {
    Shared shared = inHand.computeIfAbsent(d.rawId(), id -> new Shared(read(d)));
    shared.users++;
    return shared.contents.onComplete(r -> {
      if (--shared.users == 0) {
        inHand.remove(d.rawId());
      }
    });
  }

  private Future<MessageContents> read(InboundDelivery d) {
    if (d.encrypted()) {
      return Future.succeededFuture(MessageContents.ofClearFacts(d.clearFacts()));
    }
    Future<Buffer> raw = d.mimeInline() != null ? Future.succeededFuture(d.mimeInline())
        : blobs.get(d.blobKey());
    return raw.compose(bytes -> cpu.executeBlocking(() -> parse(d, bytes), false));
  }

  /** On the CPU pool. The parser never throws by contract; a bug in it must not drop mail either. */
  private MessageContents parse(InboundDelivery d, Buffer bytes) {
    try {
      return MessageContents.of(parser.parse(new ByteArrayInputStream(bytes.getBytes())));
    } catch (RuntimeException | StackOverflowError e) {
      log.warn("raw {}: parser failed ({}); filed unparsed", d.rawId(), e.toString());
      return MessageContents.unparsed();
    }
  }

  private static NewMessage message(InboundDelivery d, MessageContents c) {
    return new NewMessage(d.mailboxId(), d.folder(), d.rawId(), d.id(), d.receivedAt(),
        d.mimeSize(), d.encrypted(), c.parseFailed(), d.recipient(), d.tag(), c.messageId(),
        c.inReplyTo(), c.references(), c.fromName(), c.fromAddress(), c.to(), c.cc(),
        c.subject(), c.sentAt(), c.headers(), c.text(), c.html(), c.attachments(), Set.of());
  }

  /** {@code email.received}: ids and metadata, never bodies (the subject only in plaintext tier). */
  private void announce(InboundDelivery d, MessageContents c, FiledMessage filed) {
    JsonObject data = new JsonObject()
        .put("email_id", filed.id().toString())
        .put("mailbox", d.mailboxAddress())
        .put("from", c.fromAddress())
        .put("to", new JsonArray(c.to()))
        .put("message_id", c.messageId())
        .put("received_at", filed.receivedAt().toString())
        .put("thread_id", filed.threadId().toString())
        .put("size_bytes", d.mimeSize())
        .put("has_attachments", !c.attachments().isEmpty());
    if (!d.encrypted()) {
      data.put("subject", c.subject());
    }
    webhooks.emit(WebhookEvents.EMAIL_RECEIVED, d.domainId(), data)
        .onFailure(e -> log.warn("message {} filed; its email.received event was not recorded: {}",
            filed.id(), e.getMessage()));
  }

  private Future<Duration> retryOrFail(InboundDelivery d, Throwable e) {
    Duration delay = settings.backoff().delay(d.attempts(), ThreadLocalRandom.current().nextDouble());
    String error = e.getClass().getSimpleName() + ": " + e.getMessage();
    return queue.retryOrFail(d.id(), settings.maxAttempts(), delay, error).map(retried -> {
      if (retried) {
        log.info("delivery {} attempt {} not filed ({}); retry in {} ms", d.id(), d.attempts(),
            error, delay.toMillis());
        return delay;
      }
      log.warn("delivery {} not filed after {} attempts, or its lease was lost: {}", d.id(),
          d.attempts(), error);
      return null;
    });
  }
}
