package dev.postern.delivery.smtp;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/** What a relay offered in its EHLO reply (RFC 5321 §4.1.1.1): keywords and the SIZE limit. */
public record EhloCapabilities(Set<String> keywords, Set<String> authMechanisms, long sizeLimit) {

  public static final EhloCapabilities NONE = new EhloCapabilities(Set.of(), Set.of(), 0);

  /** The first line is the greeting name; each further line is {@code KEYWORD [params]}. */
  public static EhloCapabilities parse(SmtpReply ehlo) {
    Set<String> keywords = new TreeSet<>();
    Set<String> auth = new TreeSet<>();
    long size = 0;
    for (int i = 1; i < ehlo.lines().size(); i++) {
      String[] parts = ehlo.lines().get(i).trim().split("\\s+");
      if (parts.length == 0 || parts[0].isEmpty()) {
        continue;
      }
      String keyword = parts[0].toUpperCase(Locale.ROOT);
      keywords.add(keyword);
      if (keyword.equals("AUTH")) {
        for (int j = 1; j < parts.length; j++) {
          auth.add(parts[j].toUpperCase(Locale.ROOT));
        }
      } else if (keyword.equals("SIZE") && parts.length > 1) {
        try {
          size = Long.parseLong(parts[1]);
        } catch (NumberFormatException ignored) {
          size = 0; // RFC 1870 §4: an unparseable limit is treated as no declared limit
        }
      }
    }
    return new EhloCapabilities(Set.copyOf(keywords), Set.copyOf(auth), size);
  }

  public boolean has(String keyword) {
    return keywords.contains(keyword);
  }

  public boolean pipelining() {
    return has("PIPELINING");
  }

  public boolean startTls() {
    return has("STARTTLS");
  }

  /** RFC 1870: SIZE offered (0 = offered without a limit). */
  public boolean size() {
    return has("SIZE");
  }
}
