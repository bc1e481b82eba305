package dev.postern.inbound.inbox;

import dev.postern.refusal.Issue;
import dev.postern.refusal.Refusal;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * What a listing asks for (SPEC §3 inbox list): a folder, a page size, a cursor and filters.
 *
 * @param before only messages received strictly before this instant (the previous page's cursor)
 * @param unread null: either; true: without {@code \Seen}; false: with it
 * @param starred null: either; true: with {@code \Flagged}; false: without it
 * @param from an address (exact, case-insensitive) or a domain (matches every sender there)
 * @param query full-text search over subject, sender and text body (PostgreSQL, simple config)
 */
public record ListFilter(String folder, int limit, Instant before, Boolean unread,
    Boolean starred, String from, Boolean hasAttachments, String query) {

  public static final int DEFAULT_LIMIT = 50;
  public static final int MAX_LIMIT = 100;
  public static final String DEFAULT_FOLDER = "inbox";
  private static final int MAX_FILTER_CHARS = 256;

  /**
   * Reads the named parameters ({@code folder}, {@code limit}, {@code before}, {@code unread},
   * {@code starred}, {@code from}, {@code has_attachments}, {@code q}); every bad one is reported
   * at once as a {@link Refusal#invalid} naming it.
   */
  public static ListFilter parse(Function<String, String> param) {
    List<Issue> issues = new ArrayList<>();
    String folder = param.apply("folder");
    if (folder == null) {
      folder = DEFAULT_FOLDER;
    } else if (!Folders.valid(folder)) {
      issues.add(new Issue("folder", Folders.RULE));
    }
    int limit = DEFAULT_LIMIT;
    String limitText = param.apply("limit");
    if (limitText != null) {
      try {
        limit = Integer.parseInt(limitText.trim());
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > MAX_LIMIT) {
        issues.add(new Issue("limit", "must be an integer from 1 to " + MAX_LIMIT));
      }
    }
    Instant before = null;
    String beforeText = param.apply("before");
    if (beforeText != null) {
      try {
        before = instant(beforeText);
      } catch (DateTimeParseException e) {
        issues.add(new Issue("before", "must be an ISO-8601 date-time with an offset, e.g. a next_cursor"));
      }
    }
    Boolean unread = bool(param, "unread", issues);
    Boolean starred = bool(param, "starred", issues);
    Boolean hasAttachments = bool(param, "has_attachments", issues);
    String from = text(param, "from", issues);
    String query = text(param, "q", issues);
    if (!issues.isEmpty()) {
      throw Refusal.invalid(issues);
    }
    return new ListFilter(folder, limit, before, unread, starred,
        from == null ? null : from.toLowerCase(Locale.ROOT), hasAttachments, query);
  }

  /**
   * ISO-8601 with an offset ({@code Z} or {@code ±hh:mm}). A {@code +} that a query string turned
   * into a space is read back as {@code +}.
   */
  static Instant instant(String text) {
    String value = text.trim().replace(' ', '+');
    Instant cursor = cursor(value);
    return cursor != null ? cursor : OffsetDateTime.parse(value).toInstant();
  }

  /**
   * A {@code next_cursor} as the API writes it ({@code uuuu-MM-ddTHH:mm:ss.SSSSSSZ}) read by hand:
   * every page after the first carries one, and the general parser showed in the listing's
   * profile. Null when the text has another shape (the general parser decides then).
   */
  private static Instant cursor(String v) {
    if (v.length() != 27 || v.charAt(4) != '-' || v.charAt(7) != '-' || v.charAt(10) != 'T'
        || v.charAt(13) != ':' || v.charAt(16) != ':' || v.charAt(19) != '.' || v.charAt(26) != 'Z') {
      return null;
    }
    int year = number(v, 0, 4);
    int month = number(v, 5, 2);
    int day = number(v, 8, 2);
    int hour = number(v, 11, 2);
    int minute = number(v, 14, 2);
    int second = number(v, 17, 2);
    int micros = number(v, 20, 6);
    if ((year | month | day | hour | minute | second | micros) < 0) {
      return null;
    }
    try {
      return LocalDateTime.of(year, month, day, hour, minute, second, micros * 1_000)
          .toInstant(ZoneOffset.UTC);
    } catch (DateTimeException e) {
      return null; // out of range: the general parser words the refusal
    }
  }

  /** The decimal digits at {@code [at, at + width)}, or -1 if any is not a digit. */
  private static int number(String v, int at, int width) {
    int n = 0;
    for (int i = at; i < at + width; i++) {
      char c = v.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  private static Boolean bool(Function<String, String> param, String name, List<Issue> issues) {
    String value = param.apply(name);
    if (value == null) {
      return null;
    }
    switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes" -> {
        return Boolean.TRUE;
      }
      case "false", "0", "no" -> {
        return Boolean.FALSE;
      }
      default -> {
        issues.add(new Issue(name, "must be true or false"));
        return null;
      }
    }
  }

  private static String text(Function<String, String> param, String name, List<Issue> issues) {
    String value = param.apply(name);
    if (value == null || value.isBlank()) {
      return null;
    }
    if (value.length() > MAX_FILTER_CHARS || value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      issues.add(new Issue(name, "must be at most " + MAX_FILTER_CHARS + " characters without controls"));
      return null;
    }
    return value.trim();
  }
}
