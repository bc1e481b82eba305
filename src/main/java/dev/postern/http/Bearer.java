package dev.postern.http;

/** Reads {@code Authorization: Bearer <token>}; anything else (or absurdly long) is no token. */
public final class Bearer {

  private static final int MAX_HEADER = 4096;

  private Bearer() {}

  /** The token, or null when the header is missing, malformed, empty or over 4 KB. */
  public static String token(String authorizationHeader) {
    if (authorizationHeader == null || authorizationHeader.length() > MAX_HEADER
        || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String value = authorizationHeader.substring(7).trim();
    return value.isEmpty() ? null : value;
  }
}
