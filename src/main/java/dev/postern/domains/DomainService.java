package dev.postern.domains;

import dev.postern.refusal.Issue;
import dev.postern.refusal.Reason;
import dev.postern.refusal.Refusal;
import dev.postern.keys.KeyVault;
import dev.postern.keys.Sealed;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.security.SecureRandom;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Domains: creation with a fresh DKIM key pair (private key sealed at rest under the domain's
 * id), DNS ownership verification, and the opened DKIM key for the delivery stage. Key generation,
 * sealing and opening run on the {@code cpu} worker, never on an event loop.
 */
public final class DomainService {

  /** A domain and whether this call created it. */
  public record Ensured(Domain domain, boolean created) {}

  /**
   * The outcome of a DNS check. @param found whether this check saw the token; @param reason why
   * not, when it did not
   */
  public record Verification(Domain domain, boolean found, String reason) {}

  private record Material(UUID id, String token, String selector, String publicKey, Sealed sealed) {}

  private static final DateTimeFormatter SELECTOR_MONTH = DateTimeFormatter.ofPattern("yyyyMM");

  private final DomainRepository repository;
  private final KeyVault vault;
  private final WorkerExecutor cpu;
  private final DnsTxtLookup dns;
  private final SecureRandom random = new SecureRandom();

  public DomainService(DomainRepository repository, KeyVault vault, WorkerExecutor cpu, DnsTxtLookup dns) {
    this.repository = repository;
    this.vault = vault;
    this.cpu = cpu;
    this.dns = dns;
  }

  public DomainRepository repository() {
    return repository;
  }

  /** Creates a domain; 409 {@code conflict} when the (normalised) name exists. */
  public Future<Domain> create(String name) {
    return generate()
        .compose(m -> insert(name, m))
        .map(created -> created.orElseThrow(() -> Refusal.of(Reason.CONFLICT,
            "domain " + name + " already exists")));
  }

  /**
   * The domain of that name, created (with its key) when missing. Safe under concurrency: a
   * racing creator's insert is a no-op and the winner's row is returned.
   */
  public Future<Ensured> ensure(String name) {
    return repository.byName(name).compose(existing -> {
      if (existing.isPresent()) {
        return Future.succeededFuture(new Ensured(existing.get(), false));
      }
      return generate()
          .compose(m -> insert(name, m))
          .compose(created -> created.isPresent()
              ? Future.succeededFuture(new Ensured(created.get(), true))
              : repository.byName(name).map(winner -> new Ensured(winner.orElseThrow(), false)));
    });
  }

  /**
   * Looks up {@code _postern-verification.<domain>} TXT and marks the domain verified when it
   * holds {@code postern-verification=<token>}. A failed check never un-verifies a domain.
   */
  public Future<Verification> verify(UUID id) {
    return repository.byId(id)
        .map(found -> found.orElseThrow(() -> Refusal.of(Reason.NOT_FOUND, "domain not found")))
        .compose(domain -> dns.txt(domain.verificationRecordName())
            .transform(lookup -> {
              if (lookup.failed()) {
                return Future.succeededFuture(new Verification(domain, false,
                    "DNS lookup failed: " + lookup.cause().getMessage()));
              }
              if (!holdsToken(lookup.result(), domain.verificationRecordValue())) {
                return Future.succeededFuture(new Verification(domain, false,
                    "no TXT record " + domain.verificationRecordName() + " with the expected value"));
              }
              return repository.markVerified(id)
                  .map(updated -> new Verification(updated.orElse(domain), true, null));
            }));
  }

  /**
   * Sets the domain's catch-all mailbox (null clears it): {@code NOT_FOUND} for an unknown domain,
   * {@code INVALID} for a mailbox that is not one of the domain's own.
   */
  public Future<Domain> setCatchAll(UUID id, UUID mailboxId) {
    return repository.setCatchAll(id, mailboxId).compose(updated -> {
      if (updated.isPresent()) {
        return Future.succeededFuture(updated.get());
      }
      return repository.byId(id).compose(domain -> Future.failedFuture(domain.isEmpty()
          ? Refusal.of(Reason.NOT_FOUND, "domain not found")
          : Refusal.invalid("catch_all_mailbox_id", "must be the id of a mailbox of this domain")));
    });
  }

  private static boolean holdsToken(List<String> records, String expected) {
    return records.stream().anyMatch(r -> r.trim().equals(expected));
  }

  private Future<Material> generate() {
    UUID id = UUID.randomUUID();
    String selector = "postern" + YearMonth.now(ZoneOffset.UTC).format(SELECTOR_MONTH);
    return cpu.executeBlocking(() -> {
      byte[] token = new byte[16];
      random.nextBytes(token);
      DkimKeyPairs.Generated pair = DkimKeyPairs.rsa2048();
      try {
        return new Material(id, HexFormat.of().formatHex(token), selector, pair.publicKey(),
            vault.seal(pair.pkcs8(), id, KeyVault.DKIM_KEY_INFO));
      } finally {
        Arrays.fill(pair.pkcs8(), (byte) 0);
      }
    }, false);
  }

  private Future<Optional<Domain>> insert(String name, Material m) {
    return repository.insert(m.id(), name, m.token(), m.selector(), m.publicKey(), m.sealed());
  }
}
