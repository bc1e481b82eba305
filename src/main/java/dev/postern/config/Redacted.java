package dev.postern.config;

/**
 * Connection URLs as they may appear in a log line or an exception (issue #15.7): the password
 * of the userinfo (RFC 3986 §3.2.1, {@code user:password@}) and password-like query parameters
 * are replaced by {@code (redacted)}; the rest — scheme, user, host, port, database — stays, so
 * an operator can still tell which server is meant.
 */
public final class Redacted {

  static final String MARK = "(redacted)";

  private Redacted() {}

  public static String url(String url) {
    if (url == null) {
      return null;
    }
    int scheme = url.indexOf("://");
    int query = url.indexOf('?');
    String base = query < 0 ? url : url.substring(0, query);
    String rest = query < 0 ? "" : url.substring(query);
    int at = base.lastIndexOf('@');
    if (scheme >= 0 && at > scheme) {
      String userinfo = base.substring(scheme + 3, at);
      int colon = userinfo.indexOf(':');
      if (colon >= 0) {
        base = base.substring(0, scheme + 3) + userinfo.substring(0, colon + 1) + MARK
            + base.substring(at);
      }
    }
    return base + rest.replaceAll("(?i)([?&][a-z_]*(password|passwd|pwd|secret)[a-z_]*=)[^&]*",
        "$1" + MARK);
  }
}
