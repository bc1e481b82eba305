package dev.postern.inbound.store;

import dev.postern.inbound.parse.ParsedAttachment;
import io.vertx.core.json.JsonArray;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * A message to file: where it goes, the raw it was filed from, and what is kept of it. For the
 * standard (encrypted) tier only the clear facts are set and subject, headers, bodies and
 * attachments are null or empty.
 *
 * @param folder 1–64 characters; the folder row is created on demand
 * @param deliveryId the {@code inbound_deliveries} row it is filed from, or null (e.g. a sent
 *     copy); a delivery is filed at most once
 * @param messageIdHeader Message-ID, In-Reply-To and References entries are msg-ids without
 *     angle brackets (RFC 5322 §3.6.4)
 * @param headers plaintext tier: {@code [{name, value}]} in order, else null
 * @param flags initial flags (normalised by {@link MessageFlags})
 */
public record NewMessage(
    UUID mailboxId, String folder, UUID rawId, UUID deliveryId, Instant receivedAt,
    long sizeBytes, boolean encrypted, boolean parseFailed, String recipient, String tag,
    String messageIdHeader, String inReplyTo, List<String> references,
    String fromName, String fromAddress, List<String> to, List<String> cc,
    String subject, Instant sentAt, JsonArray headers, String text, String html,
    List<ParsedAttachment> attachments, Set<String> flags) {

  /** The first 200 characters of the text body (SPEC §3 list item {@code preview}). */
  public String preview() {
    if (text == null) {
      return null;
    }
    String collapsed = text.strip().replaceAll("\\s+", " ");
    return collapsed.length() <= 200 ? collapsed
        : collapsed.substring(0, Character.isHighSurrogate(collapsed.charAt(199)) ? 199 : 200);
  }

  /**
   * Every Message-ID the message names, its own first: the keys JWZ threading looks up
   * (RFC 5256 §2.2 REFERENCES: References, else In-Reply-To, plus the message's own id).
   */
  public List<String> threadKeys() {
    java.util.LinkedHashSet<String> keys = new java.util.LinkedHashSet<>();
    addKey(keys, messageIdHeader);
    if (references != null) {
      references.forEach(r -> addKey(keys, r));
    }
    addKey(keys, inReplyTo);
    return List.copyOf(keys);
  }

  private static void addKey(java.util.Set<String> keys, String id) {
    if (id == null) {
      return;
    }
    String bare = id.strip();
    if (bare.startsWith("<") && bare.endsWith(">")) {
      bare = bare.substring(1, bare.length() - 1).strip();
    }
    if (!bare.isEmpty() && bare.length() <= 998 && bare.indexOf('\u0000') < 0) {
      keys.add(bare);
    }
  }
}
