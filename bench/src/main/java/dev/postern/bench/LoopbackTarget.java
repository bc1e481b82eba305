package dev.postern.bench;

import java.net.URI;

/**
 * The bench only ever loads this machine: any URL whose host is not a loopback address is
 * refused before a single request is sent.
 */
final class LoopbackTarget {

  private LoopbackTarget() {}

  static URI require(String url) {
    URI uri = URI.create(url);
    if (!"http".equals(uri.getScheme())) {
      throw new IllegalArgumentException("only http:// URLs are benchmarked: " + url);
    }
    String host = uri.getHost();
    if (host == null || !isLoopback(host)) {
      throw new IllegalArgumentException("refusing a non-loopback target: " + url);
    }
    return uri;
  }

  static boolean isLoopback(String host) {
    return host.equals("localhost") || host.equals("[::1]") || host.equals("::1")
        || host.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  }
}
