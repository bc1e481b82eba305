package dev.postern.delivery;

import dev.postern.blob.BlobStore;
import dev.postern.delivery.smtp.RecipientResult;
import dev.postern.delivery.smtp.Verdict;
import dev.postern.inbound.parse.ClearFacts;
import dev.postern.mail.EmailAddress;
import dev.postern.queue.Claim;
import dev.postern.send.ClaimFilings;
import dev.postern.send.LocalDeliveryPlanner;
import dev.postern.send.LocalMailboxes;
import dev.postern.send.LocalPlan;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Local delivery of mail claimed when due (issue #13.8). Live mail is routed at accept
 * ({@code send.SubmissionService}); scheduled mail waits in the queue unrouted, so when it is
 * claimed its still-pending recipients are routed here exactly as the accept path routes them
 * ({@link LocalDeliveryPlanner#plan(LocalMailboxes, List, String)}):
 * <ul>
 *   <li>a hosted mailbox: its copy is filed into {@code inbox} (the same {@code inbound_raw} /
 *       {@code inbound_deliveries} rows as at accept, written once per message and mailbox
 *       whatever the number of claims: {@link ClaimFilings}); the recipient is settled
 *       {@code delivered} with {@value LocalPlan#FILED};</li>
 *   <li>a hosted domain refusing the address: settled {@code bounced} with its reply
 *       ({@code 550 5.1.1} unknown, {@code 552 5.2.2} full);</li>
 *   <li>any other domain: left for the relays.</li>
 * </ul>
 * The sender's copy rule of the accept path applies: when the From address is a hosted
 * mailbox's own, a copy is filed in its {@code sent} folder, at the time the message goes out.
 *
 * <p>The copies commit before the recipients are settled (the settlement is the delivery path's
 * own statement); the filing loops are woken after that commit, and the settlement's events
 * ({@code email.delivered} / {@code email.bounced}) are announced after the settlement's commit
 * like every delivery event. A {@code standard}-tier copy is filed from clear facts read from
 * the stored MIME's header block (mime4j, {@link ClearFacts#ofMessage}) on the CPU pool.
 */
public final class ClaimedLocalDelivery {

  /** What the header of a blob-stored message is read from, at most (the header block cap). */
  static final int HEAD_BYTES = 64 * 1024;

  /**
   * A claim's recipients after routing.
   *
   * @param remote pending recipients left for the relays
   * @param settled recipients finished here: {@link Verdict#DELIVERED} with {@value LocalPlan#FILED}
   *     or {@link Verdict#PERMANENT} with the refusal
   */
  record Routed(List<String> remote, List<RecipientResult> settled) {}

  private final LocalMailboxes mailboxes;
  private final ClaimFilings filings;
  private final BlobStore blobs;
  private final WorkerExecutor cpu;
  private final Runnable filingWakeup;

  /**
   * @param cpu where a header block is parsed (never an event loop)
   * @param filingWakeup run after a commit that created copies to file (wakes the filing loops)
   */
  public ClaimedLocalDelivery(LocalMailboxes mailboxes, ClaimFilings filings, BlobStore blobs,
      WorkerExecutor cpu, Runnable filingWakeup) {
    this.mailboxes = mailboxes;
    this.filings = filings;
    this.blobs = blobs;
    this.cpu = cpu;
    this.filingWakeup = filingWakeup;
  }

  /**
   * Routes the claim's pending recipients and commits the copies to file. Fails when routing,
   * the MIME or the database is unavailable: nothing is settled then (the attempt is retried).
   */
  Future<Routed> route(Claim claim) {
    List<String> pending = claim.pendingRecipients();
    return LocalDeliveryPlanner.plan(mailboxes, pending, fromAddress(claim.fromHeader()))
        .compose(plan -> {
          if (plan.isEmpty()) {
            return Future.succeededFuture(new Routed(pending, List.of()));
          }
          Future<JsonObject> facts = plan.filings().stream().anyMatch(LocalPlan.Filing::encrypted)
              ? head(claim).compose(head -> cpu.executeBlocking(
                  () -> ClearFacts.ofMessage(new ByteArrayInputStream(head.getBytes())), false))
              : Future.succeededFuture(null);
          return facts.compose(clear -> filings.fileOnce(claim.messageId(), claim.envelopeFrom(),
                  claim.mimeSize(), plan.filings(), clear))
              .map(added -> {
                if (added) {
                  filingWakeup.run(); // after the commit, never inside the transaction
                }
                return routed(pending, plan);
              });
        });
  }

  private static Routed routed(List<String> pending, LocalPlan plan) {
    List<String> remote = new ArrayList<>();
    List<RecipientResult> settled = new ArrayList<>();
    for (String address : pending) {
      String reply = plan.settledReply(address);
      if (reply == null) {
        remote.add(address);
      } else {
        settled.add(new RecipientResult(address,
            LocalPlan.filed(reply) ? Verdict.DELIVERED : Verdict.PERMANENT, reply));
      }
    }
    return new Routed(remote, settled);
  }

  /** The From header's address, or null when it does not parse (then no sender's copy). */
  static String fromAddress(String fromHeader) {
    if (fromHeader == null || fromHeader.isBlank()) {
      return null;
    }
    try {
      return EmailAddress.parse(fromHeader).address();
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * The MIME's first octets, enough for its header block: inline MIME whole; a blob read up to
   * {@link #HEAD_BYTES} and then released (its handler set back to null, as
   * {@link BlobStore#open} allows).
   */
  private Future<Buffer> head(Claim claim) {
    if (claim.mimeInline() != null) {
      return Future.succeededFuture(claim.mimeInline());
    }
    return blobs.open(claim.blobKey()).compose(stream -> {
      Promise<Buffer> done = Promise.promise();
      Buffer head = Buffer.buffer();
      stream.exceptionHandler(done::tryFail);
      stream.endHandler(v -> done.tryComplete(head));
      stream.handler(chunk -> {
        int room = HEAD_BYTES - head.length();
        head.appendBuffer(chunk.length() <= room ? chunk : chunk.getBuffer(0, room));
        if (head.length() >= HEAD_BYTES && done.tryComplete(head)) {
          stream.handler(null);
        }
      });
      return done.future();
    });
  }
}
