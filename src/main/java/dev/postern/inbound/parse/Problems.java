package dev.postern.inbound.parse;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What went wrong while parsing one message, each distinct note once, at most {@value #MAX} of
 * them (a hostile message can produce a problem per part). {@link #fail} also marks the parse as
 * stopped early.
 */
final class Problems {

  static final int MAX = 50;

  private final Set<String> notes = new LinkedHashSet<>();
  private boolean failed;

  void note(String problem) {
    if (notes.size() < MAX) {
      notes.add(problem);
    }
  }

  void fail(String problem) {
    failed = true;
    note(problem);
  }

  boolean failed() {
    return failed;
  }

  List<String> list() {
    return List.copyOf(new ArrayList<>(notes));
  }
}
