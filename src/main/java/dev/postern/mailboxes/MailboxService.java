package dev.postern.mailboxes;

import dev.postern.domains.DomainService;
import dev.postern.refusal.Issue;
import dev.postern.refusal.Reason;
import dev.postern.refusal.Refusal;
import dev.postern.mail.EmailAddress;
import dev.postern.mail.InvalidValue;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.pgclient.PgException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Mailboxes: validation (address, tier, OpenPGP key), creation with the domain created on the fly,
 * tier/key changes and deletion. Tier rule: {@code standard} needs a valid public key; when the
 * tier is not given it is {@code standard} if a key is given, else {@code plaintext}.
 */
public final class MailboxService {

  /** A new mailbox and whether its domain was created for it. */
  public record Created(Mailbox mailbox, boolean domainCreated) {}

  /**
   * A change: {@code tier} null leaves the tier as is; {@code setKey} false leaves the key as is,
   * true replaces it with {@code key} (null removes it).
   */
  public record Change(String tier, boolean setKey, String key) {
    public boolean empty() {
      return tier == null && !setKey;
    }
  }

  private final MailboxRepository repository;
  private final DomainService domains;
  private final WorkerExecutor cpu;
  private final Runnable changed;

  public MailboxService(MailboxRepository repository, DomainService domains, WorkerExecutor cpu) {
    this(repository, domains, cpu, () -> { });
  }

  /**
   * @param changed run after a mailbox was created, changed or deleted here: e.g. forgets cached
   *     recipient answers, so a mailbox just created is not refused as unknown for the cache's
   *     lifetime on this node (other nodes see it within that lifetime)
   */
  public MailboxService(MailboxRepository repository, DomainService domains, WorkerExecutor cpu,
      Runnable changed) {
    this.repository = repository;
    this.domains = domains;
    this.cpu = cpu;
    this.changed = changed;
  }

  public MailboxRepository repository() {
    return repository;
  }

  public Future<Created> create(String rawAddress, String rawTier, String pgpKey) {
    List<Issue> issues = new ArrayList<>();
    EmailAddress address = parseAddress(rawAddress, issues);
    EncryptionTier tier = rawTier == null
        ? (pgpKey == null ? EncryptionTier.PLAINTEXT : EncryptionTier.STANDARD)
        : parseTier(rawTier, issues);
    return checkKey(tier, pgpKey, issues)
        .compose(v -> domains.ensure(address.domain()))
        .compose(ensured -> repository.insert(UUID.randomUUID(), address.address(),
                ensured.domain().id(), tier, pgpKey)
            .map(inserted -> new Created(inserted.orElseThrow(() -> Refusal.of(Reason.CONFLICT, "mailbox " + address.address() + " already exists")),
                ensured.created())))
        .onSuccess(created -> changed.run());
  }

  public Future<Mailbox> get(UUID id) {
    return repository.byId(id).map(found -> found.orElseThrow(MailboxService::notFound));
  }

  /** Applies a change; an empty change returns the mailbox as it is. */
  public Future<Mailbox> change(UUID id, Change change) {
    return get(id).compose(current -> {
      if (change.empty()) {
        return Future.succeededFuture(current);
      }
      List<Issue> issues = new ArrayList<>();
      EncryptionTier tier = change.tier() == null ? current.tier() : parseTier(change.tier(), issues);
      String key = change.setKey() ? change.key() : current.pgpPublicKey();
      return checkKey(tier, key, issues)
          .compose(v -> repository.update(id, tier, key))
          .map(updated -> updated.orElseThrow(MailboxService::notFound))
          .onSuccess(updated -> changed.run());
    });
  }

  /**
   * Deletes the mailbox (and, by cascade, its keys and inbound mail). Refused with 409 while mail
   * it sent is still on record: that history references its keys.
   */
  public Future<Mailbox> delete(UUID id) {
    return get(id).compose(mailbox -> repository.delete(id)
        .recover(e -> Future.failedFuture(e instanceof PgException pg && "23503".equals(pg.getSqlState())
            ? Refusal.of(Reason.CONFLICT, "mailbox has sent mail on record; revoke its keys instead")
            : e))
        .map(deleted -> {
          if (!deleted) {
            throw notFound();
          }
          return mailbox;
        }))
        .onSuccess(deleted -> changed.run());
  }

  private static EncryptionTier parseTier(String raw, List<Issue> issues) {
    return EncryptionTier.fromWire(raw).orElseGet(() -> {
      issues.add(new Issue("encryption_tier", "must be one of standard, plaintext"));
      return EncryptionTier.PLAINTEXT;
    });
  }

  /** The mailbox's bare address; null, with an issue added, when it is not one. */
  private static EmailAddress parseAddress(String raw, List<Issue> issues) {
    try {
      return EmailAddress.parseBare(raw);
    } catch (InvalidValue e) {
      issues.add(new Issue("address", e.getMessage()));
      return null;
    }
  }

  /** Fails with every issue found; the key is parsed on the cpu worker (untrusted input). */
  private Future<Void> checkKey(EncryptionTier tier, String key, List<Issue> issues) {
    if (key == null) {
      if (tier == EncryptionTier.STANDARD && issues.stream().noneMatch(i -> i.path().equals("encryption_tier"))) {
        issues.add(new Issue("pgp_public_key", "is required for the standard tier"));
      }
      return issues.isEmpty() ? Future.succeededFuture() : Future.failedFuture(Refusal.invalid(issues));
    }
    return cpu.executeBlocking(() -> PgpPublicKeys.check(key), false).compose(checked -> {
      if (!checked.valid()) {
        issues.add(new Issue("pgp_public_key", checked.problem()));
      }
      return issues.isEmpty() ? Future.succeededFuture() : Future.failedFuture(Refusal.invalid(issues));
    });
  }

  static Refusal notFound() {
    return Refusal.of(Reason.NOT_FOUND, "mailbox not found");
  }
}
