package dev.postern.bench;

/**
 * How many messages a system under test holds, counted before and after a measured run: the
 * run only counts if the growth is exactly the number its client was told were accepted. A
 * server that answers 250 fast and loses mail must fail the run, not win it.
 */
record StoredMessages(long before, long after) {

  /** The growth over the run. */
  long stored() {
    return after - before;
  }

  /** Null when exactly {@code accepted} messages were stored, else what is wrong, in words. */
  String mismatch(long accepted) {
    long stored = stored();
    if (stored == accepted) {
      return null;
    }
    return stored < accepted
        ? String.format("%d messages were acknowledged but only %d stored (%d missing; count %d"
            + " before the run, %d after)", accepted, stored, accepted - stored, before, after)
        : String.format("%d messages were sent but %d stored (%d more; count %d before the run,"
            + " %d after)", accepted, stored, stored - accepted, before, after);
  }

  /**
   * The output of a counting command (e.g. {@code find <queue>/hold -type f | wc -l}): one
   * non-negative integer, blanks around it allowed, nothing else.
   */
  static long parseCount(String output) {
    String text = output.strip();
    if (!text.matches("\\d{1,18}")) {
      throw new IllegalArgumentException("a count command must print one number, printed: \""
          + text + "\"");
    }
    return Long.parseLong(text);
  }
}
