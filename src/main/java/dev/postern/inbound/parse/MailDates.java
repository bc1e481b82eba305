package dev.postern.inbound.parse;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a Date header leniently: RFC 5322 §3.3 {@code [day ","] d month yyyy hh:mm[:ss] zone} and
 * the obsolete forms of §4.3 (two- and three-digit years, named zones such as {@code EST} or
 * {@code GMT}, military letters, comments and extra white space), plus what the wild sends:
 * asctime order ({@code Mon Jan  2 15:04:05 2006}), full month names, a missing zone (read as UTC)
 * and ISO 8601 ({@code 2006-01-02T15:04:05Z}). Fields are found by their shape, so their order
 * does not matter. Out-of-range fields give no date.
 */
final class MailDates {

  private static final Map<String, Integer> ZONES = Map.ofEntries(
      Map.entry("UT", 0), Map.entry("UTC", 0), Map.entry("GMT", 0), Map.entry("Z", 0),
      Map.entry("EST", -5 * 60), Map.entry("EDT", -4 * 60), Map.entry("CST", -6 * 60),
      Map.entry("CDT", -5 * 60), Map.entry("MST", -7 * 60), Map.entry("MDT", -6 * 60),
      Map.entry("PST", -8 * 60), Map.entry("PDT", -7 * 60), Map.entry("CET", 60),
      Map.entry("CEST", 2 * 60), Map.entry("BST", 60), Map.entry("JST", 9 * 60));

  private MailDates() {}

  static Optional<Instant> parse(String value) {
    if (value == null || value.length() > 200) {
      return Optional.empty();
    }
    try {
      return Optional.ofNullable(read(MessageIds.withoutComments(value)));
    } catch (DateTimeException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static Instant read(String text) {
    String[] tokens = text.trim().replace(',', ' ').split("\\s+");
    if (tokens.length == 1 && tokens[0].length() > 10 && tokens[0].charAt(4) == '-') {
      return iso(tokens[0]);
    }
    Integer day = null;
    Integer month = null;
    Integer year = null;
    int[] time = null;
    Integer zoneMinutes = null;
    Integer namedZoneMinutes = null;
    for (String token : tokens) {
      if (token.isEmpty()) {
        continue;
      }
      if (token.indexOf(':') > 0 && time == null) {
        time = time(token);
      } else if ((token.startsWith("+") || token.startsWith("-")) && token.length() == 5
          && digits(token.substring(1)) && zoneMinutes == null) {
        int hhmm = Integer.parseInt(token.substring(1));
        int minutes = hhmm / 100 * 60 + hhmm % 100;
        zoneMinutes = token.startsWith("-") ? -minutes : minutes;
      } else if (digits(token)) {
        if (day == null && token.length() <= 2 && (month == null || year == null)) {
          day = Integer.parseInt(token);
        } else if (year == null) {
          year = year(token);
        }
      } else if (month == null && month(token) > 0) {
        month = month(token);
      } else if (!isDayName(token) && namedZoneMinutes == null) {
        namedZoneMinutes = zone(token);
      }
    }
    if (zoneMinutes == null) {
      zoneMinutes = namedZoneMinutes;
    }
    if (day == null || month == null || year == null || time == null) {
      return null;
    }
    LocalDateTime local = LocalDateTime.of(year, month, day, time[0], time[1], time[2]);
    int offset = zoneMinutes == null ? 0 : zoneMinutes;
    return local.toInstant(ZoneOffset.ofTotalSeconds(offset * 60));
  }

  private static Instant iso(String token) {
    try {
      return java.time.OffsetDateTime.parse(token).toInstant();
    } catch (DateTimeException e) {
      return LocalDateTime.parse(token).toInstant(ZoneOffset.UTC);
    }
  }

  /** §4.3: a two-digit year below 50 is 20yy, else 19yy; a three-digit year is 1900 + yyy. */
  private static int year(String token) {
    int y = Integer.parseInt(token.length() > 4 ? "x" : token);
    if (token.length() <= 2) {
      return y < 50 ? 2000 + y : 1900 + y;
    }
    return token.length() == 3 ? 1900 + y : y;
  }

  private static int[] time(String token) {
    String[] parts = token.split(":");
    if (parts.length < 2 || parts.length > 3) {
      return null;
    }
    int[] hms = new int[3];
    for (int i = 0; i < parts.length; i++) {
      String p = i == 2 && parts[i].indexOf('.') > 0 ? parts[i].substring(0, parts[i].indexOf('.'))
          : parts[i];
      if (!digits(p) || p.length() > 2) {
        return null;
      }
      hms[i] = Integer.parseInt(p);
    }
    // §3.3 allows second 60 (a leap second); java.time does not, so it is read as 59.
    hms[2] = Math.min(hms[2], 59);
    return hms;
  }

  private static boolean isDayName(String token) {
    String t = token.toLowerCase(Locale.ROOT);
    return t.length() >= 3 && "mon tue wed thu fri sat sun".contains(t.substring(0, 3));
  }

  private static int month(String token) {
    String t = token.toLowerCase(Locale.ROOT);
    if (t.length() < 3) {
      return 0;
    }
    String[] names = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
        "dec"};
    for (int i = 0; i < names.length; i++) {
      if (t.startsWith(names[i])) {
        return i + 1;
      }
    }
    return 0;
  }

  /** Named zones of §4.3; other letters (military zones, unknown names) are -0000, unknown offset. */
  private static Integer zone(String token) {
    Integer minutes = ZONES.get(token.toUpperCase(Locale.ROOT));
    return minutes != null ? minutes : token.chars().allMatch(Character::isLetter) ? 0 : null;
  }

  private static boolean digits(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }
}
