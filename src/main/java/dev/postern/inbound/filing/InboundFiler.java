package dev.postern.inbound.filing;

import dev.postern.blob.BlobStore;
import dev.postern.inbound.parse.MailParser;
import dev.postern.inbound.store.FiledMessage;
import dev.postern.inbound.store.MailStore;
import dev.postern.inbound.store.NewMessage;
import dev.postern.webhooks.WebhookDispatcher;
import dev.postern.webhooks.WebhookEvents;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import io.vertx.sqlclient.SqlConnection;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files one claimed delivery (the {@link dev.postern.queue.ClaimLoop} worker): reads its raw,
 * parses a plaintext raw on the CPU pool (an encrypted raw gives its clear facts), then queues
 * it for its mailbox. The deliveries of one mailbox are filed in groups
 * ({@link MailStore#fileAll}): while a group's transaction runs, the mailbox's parsed deliveries
 * wait; when it commits, the next group takes all that waited (up to the group bounds). A busy
 * mailbox thus pays one mailbox lock and one commit per group, not per message: the mailbox row
 * lock serialises its filings (V005's gap-free change seq), so one commit at a time per mailbox
 * is the bound on its drain rate. In the same transaction the deliveries are marked
 * {@code filed} (one statement) and {@code email.received} is recorded (so a crash cannot file
 * a message and lose its event); the webhook loop is woken after the commit.
 *
 * <p>A raw shared by several deliveries in hand is read and parsed once. A message that does not
 * parse is filed anyway, flagged {@code parse_failed}; a failure to read the raw or to write the
 * store is retried with back-off, and the delivery is marked {@code failed} after the bound. A
 * group PostgreSQL refuses is filed message by message, so only a guilty delivery is retried.
 *
 * <p>Confined to the event loop of its claim loop (its maps are not synchronised).
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
  /** A parsed delivery waiting for its mailbox's next group. */
  private record Waiting(InboundDelivery delivery, MessageContents contents,
      Promise<FiledMessage> filed) {}

  /** A mailbox's parsed deliveries, and whether a group of it is being filed. */
  private static final class MailboxLine {
    final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    boolean filing;
  }

  private final Map<UUID, Shared> inHand = new HashMap<>();
  private final Map<UUID, MailboxLine> mailboxes = new HashMap<>();

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
        .compose(contents -> enqueue(delivery, contents))
        .map(filed -> (Duration) null)
        .recover(e -> retryOrFail(delivery, e));
  }

  private Future<FiledMessage> enqueue(InboundDelivery delivery, MessageContents contents) {
    Waiting w = new Waiting(delivery, contents, Promise.promise());
    MailboxLine line = mailboxes.computeIfAbsent(delivery.mailboxId(), id -> new MailboxLine());
    line.waiting.add(w);
    if (!line.filing) {
      fileNextGroup(delivery.mailboxId(), line);
    }
    return w.filed().future();
  }

  /** Files what waits for the mailbox (within the group bounds); then the next group, if any. */
  private void fileNextGroup(UUID mailboxId, MailboxLine line) {
    if (line.waiting.isEmpty()) {
      line.filing = false;
      mailboxes.remove(mailboxId);
      return;
    }
    line.filing = true;
    List<Waiting> group = new ArrayList<>();
    long bytes = 0;
    while (!line.waiting.isEmpty() && group.size() < settings.groupMessages()
        && (group.isEmpty() || bytes + line.waiting.peek().delivery().mimeSize() <= settings.groupBytes())) {
      Waiting w = line.waiting.poll();
      bytes += w.delivery().mimeSize();
      group.add(w);
    }
    Map<UUID, Waiting> byDelivery = new HashMap<>();
    group.forEach(w -> byDelivery.put(w.delivery().id(), w));
    boolean[] webhooksRecorded = new boolean[1];
    List<Future<FiledMessage>> outcomes = store.fileAll(
        group.stream().map(w -> message(w.delivery(), w.contents())).toList(),
        (c, messages, filed) -> recordFiled(c, byDelivery, messages, filed)
            .onSuccess(recorded -> webhooksRecorded[0] |= recorded).mapEmpty());
    for (int i = 0; i < group.size(); i++) {
      outcomes.get(i).onComplete(group.get(i).filed());
    }
    Future.join(outcomes).onComplete(done -> {
      if (webhooksRecorded[0]) {
        webhooks.wake();
      }
      fileNextGroup(mailboxId, line);
    });
  }

  /**
   * The filing transaction's own steps: the deliveries marked filed, and {@code email.received}
   * recorded for each message newly filed.
   *
   * @return whether any webhook delivery was recorded
   */
  private Future<Boolean> recordFiled(SqlConnection c, Map<UUID, Waiting> byDelivery,
      List<NewMessage> messages, List<FiledMessage> filed) {
    List<UUID> deliveries = messages.stream().map(NewMessage::deliveryId).toList();
    Future<Void> marked = queue.markFiled(c, deliveries, filed.stream().map(FiledMessage::id).toList());
    List<UUID> domains = new ArrayList<>();
    List<JsonObject> events = new ArrayList<>();
    for (int i = 0; i < filed.size(); i++) {
      Waiting w = byDelivery.get(deliveries.get(i));
      // A sent copy (local delivery, issue #13.8) is the mailbox's own mail, not received mail:
      // it is a store change like any other (the live stream shows it), but no email.received.
      if (!filed.get(i).alreadyFiled() && !"sent".equals(w.delivery().folder())) {
        domains.add(w.delivery().domainId());
        events.add(received(w.delivery(), w.contents(), filed.get(i)));
      }
    }
    Future<Integer> recorded = webhooks.emitAllIn(c, WebhookEvents.EMAIL_RECEIVED, domains, events);
    return Future.all(marked, recorded).map(v -> recorded.result() > 0);
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
  private static JsonObject received(InboundDelivery d, MessageContents c, FiledMessage filed) {
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
    return data;
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
