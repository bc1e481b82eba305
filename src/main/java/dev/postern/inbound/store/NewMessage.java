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

  /** Characters of {@link #preview()}. */
  static final int PREVIEW_CHARS = 200;

  /**
   * The first 200 characters of the text body (SPEC §3 list item {@code preview}): the body
   * stripped ({@link String#strip()}), each run of ASCII white space (space, tab, LF, VT, FF,
   * CR: the regex class backslash-s) collapsed to one space, cut before a split surrogate pair.
   * Reads only as far into the body as the preview needs: a body may be megabytes, and this runs
   * on an event loop.
   */
  public String preview() {
    if (text == null) {
      return null;
    }
    int start = 0;
    while (start < text.length() && Character.isWhitespace(text.codePointAt(start))) {
      start += Character.charCount(text.codePointAt(start));
    }
    int end = text.length();
    while (end > start && Character.isWhitespace(text.codePointBefore(end))) {
      end -= Character.charCount(text.codePointBefore(end));
    }
    StringBuilder out = new StringBuilder(PREVIEW_CHARS + 1);
    boolean inRun = false;
    for (int i = start; i < end && out.length() <= PREVIEW_CHARS; i++) {
      char ch = text.charAt(i);
      if (ch == ' ' || ch == '\t' || ch == '\n' || ch == 0x0B || ch == '\f' || ch == '\r') {
        inRun = true;
        continue;
      }
      if (inRun) {
        out.append(' ');
        inRun = false;
      }
      out.append(ch);
    }
    if (out.length() <= PREVIEW_CHARS) {
      return out.toString();
    }
    return out.substring(0, Character.isHighSurrogate(out.charAt(PREVIEW_CHARS - 1))
        ? PREVIEW_CHARS - 1 : PREVIEW_CHARS);
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
