package dev.postern.webhooks;

import dev.postern.domains.Domain;
import dev.postern.domains.DomainName;
import dev.postern.domains.DomainRepository;
import dev.postern.refusal.Issue;
import dev.postern.refusal.Reason;
import dev.postern.refusal.Refusal;
import dev.postern.keys.KeyVault;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Webhook endpoints. Each gets a Standard Webhooks signing secret, {@code whsec_<base64 of 32
 * random bytes>}, shown once at creation and sealed at rest (the whole {@code whsec_…} string,
 * under the webhook's id). Dispatch reads it back with {@link #signingSecret}.
 */
public final class WebhookService {

  /** A new webhook and its secret (the only time the secret is shown). */
  public record Created(Webhook webhook, String secret) {
    @Override
    public String toString() {
      return "Created[" + webhook.id() + ", secret=(redacted)]";
    }
  }

  static final String SECRET_PREFIX = "whsec_";
  private static final int SECRET_BYTES = 32;

  private final WebhookRepository repository;
  private final DomainRepository domains;
  private final KeyVault vault;
  private final WorkerExecutor cpu;
  private final SecureRandom random = new SecureRandom();

  public WebhookService(WebhookRepository repository, DomainRepository domains, KeyVault vault,
      WorkerExecutor cpu) {
    this.repository = repository;
    this.domains = domains;
    this.vault = vault;
    this.cpu = cpu;
  }

  public WebhookRepository repository() {
    return repository;
  }

  /** @param events the raw list from the request (elements of any JSON type); null when absent */
  public Future<Created> create(String url, List<Object> events, String domain) {
    List<Issue> issues = new ArrayList<>();
    String checkedUrl = checkUrl(url, issues);
    List<String> checkedEvents = checkEvents(events, issues);
    DomainName.Parsed domainName = domain == null ? null : DomainName.parse(domain);
    if (domainName != null && !domainName.valid()) {
      issues.add(new Issue("domain", domainName.problem()));
    }
    if (!issues.isEmpty()) {
      return Future.failedFuture(Refusal.invalid(issues));
    }
    Future<UUID> domainId = domainName == null ? Future.succeededFuture(null)
        : domains.byName(domainName.name()).map(found -> found.map(Domain::id).orElseThrow(
            () -> Refusal.invalid("domain", "no such domain: " + domainName.name())));
    UUID id = UUID.randomUUID();
    return domainId.compose(d -> cpu.executeBlocking(() -> {
      byte[] raw = new byte[SECRET_BYTES];
      random.nextBytes(raw);
      String secret = SECRET_PREFIX + Base64.getEncoder().encodeToString(raw);
      Arrays.fill(raw, (byte) 0);
      return new Sealing(d, secret, vault.seal(secret.getBytes(StandardCharsets.US_ASCII), id,
          KeyVault.WEBHOOK_SECRET_INFO));
    }, false)).compose(s -> repository.insert(id, checkedUrl, checkedEvents, s.domainId(), s.sealed())
        .map(webhook -> new Created(webhook, s.secret())));
  }

  private record Sealing(UUID domainId, String secret, dev.postern.keys.Sealed sealed) {}

  public Future<Webhook> get(UUID id) {
    return repository.byId(id).map(found -> found.orElseThrow(WebhookService::notFound));
  }

  public Future<Webhook> delete(UUID id) {
    return get(id).compose(webhook -> repository.delete(id).map(deleted -> {
      if (!deleted) {
        throw notFound();
      }
      return webhook;
    }));
  }

  /** The {@code whsec_…} secret, opened on the cpu worker; empty for an unknown webhook. */
  public Future<Optional<String>> signingSecret(UUID id) {
    return repository.sealedSecret(id).compose(sealed -> sealed.isEmpty()
        ? Future.succeededFuture(Optional.<String>empty())
        : cpu.executeBlocking(() -> Optional.of(new String(
            vault.open(sealed.get(), id, KeyVault.WEBHOOK_SECRET_INFO), StandardCharsets.US_ASCII)), false));
  }

  private static String checkUrl(String url, List<Issue> issues) {
    if (url == null || url.isBlank()) {
      issues.add(new Issue("url", "is required"));
      return null;
    }
    if (url.length() > 2048) {
      issues.add(new Issue("url", "must be at most 2048 characters"));
      return null;
    }
    if (url.chars().anyMatch(c -> c <= 0x20 || c == 0x7f || c == 0x2028 || c == 0x2029)) {
      issues.add(new Issue("url", "must not contain whitespace or control characters"));
      return null;
    }
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
        issues.add(new Issue("url", "must be an absolute http:// or https:// URL"));
        return null;
      }
      return url;
    } catch (URISyntaxException e) {
      issues.add(new Issue("url", "must be an absolute http:// or https:// URL"));
      return null;
    }
  }

  private static List<String> checkEvents(List<Object> events, List<Issue> issues) {
    if (events == null || events.isEmpty()) {
      issues.add(new Issue("events", "must list at least one event"));
      return List.of();
    }
    Set<String> out = new LinkedHashSet<>();
    for (int i = 0; i < events.size(); i++) {
      Object event = events.get(i);
      if (!(event instanceof String s) || !WebhookEvents.known(s)) {
        issues.add(new Issue("events[" + i + "]", "must be one of * or "
            + String.join(", ", WebhookEvents.TYPES.stream().sorted().toList())));
      } else {
        out.add(s);
      }
    }
    return out.contains(WebhookEvents.ALL) ? List.of(WebhookEvents.ALL) : List.copyOf(out);
  }

  static Refusal notFound() {
    return Refusal.of(Reason.NOT_FOUND, "webhook not found");
  }
}
