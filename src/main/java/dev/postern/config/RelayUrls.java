package dev.postern.config;

import dev.postern.config.PosternConfig.Relay;
import dev.postern.config.PosternConfig.RelayTls;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Parses POSTERN_RELAY_URL (SPEC §4a): comma-separated {@code smtp://user:pass@host:port},
 * {@code smtps://…} (implicit TLS) or {@code smtp+starttls://…}, in failover order.
 */
final class RelayUrls {

  private RelayUrls() {}

  static List<Relay> parse(String value, ConfigReader reader, String path) {
    List<Relay> relays = new ArrayList<>();
    String[] entries = value.split(",");
    for (int i = 0; i < entries.length; i++) {
      String entry = entries[i].trim();
      if (entry.isEmpty()) {
        continue;
      }
      Optional<Relay> relay = parseOne(entry, i, reader, path);
      relay.ifPresent(relays::add);
    }
    return relays;
  }

  private static Optional<Relay> parseOne(String entry, int index, ConfigReader reader, String path) {
    URI uri;
    try {
      uri = new URI(entry);
    } catch (Exception e) {
      reader.problem(path, "relay " + (index + 1) + " is not a URL");
      return Optional.empty();
    }
    RelayTls tls;
    int defaultPort;
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    switch (scheme) {
      case "smtp" -> { tls = RelayTls.NONE; defaultPort = 25; }
      case "smtp+starttls" -> { tls = RelayTls.STARTTLS; defaultPort = 587; }
      case "smtps" -> { tls = RelayTls.IMPLICIT; defaultPort = 465; }
      default -> {
        reader.problem(path, "relay " + (index + 1) + " must use smtp://, smtp+starttls:// or smtps://");
        return Optional.empty();
      }
    }
    if (uri.getHost() == null) {
      reader.problem(path, "relay " + (index + 1) + " has no host");
      return Optional.empty();
    }
    String username = null;
    String password = null;
    if (uri.getRawUserInfo() != null) {
      String[] parts = uri.getRawUserInfo().split(":", 2);
      username = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
      password = parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : "";
    }
    int port = uri.getPort() > 0 ? uri.getPort() : defaultPort;
    // Failover order: earlier URLs get the higher weight.
    int weight = Math.max(1, 100 - index);
    return Optional.of(new Relay("relay-" + (index + 1), uri.getHost(), port, tls, username,
        password, weight, 16));
  }
}
