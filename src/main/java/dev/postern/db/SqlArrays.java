package dev.postern.db;

import java.util.Arrays;
import java.util.List;

/**
 * Values for multi-row statements over {@code unnest($n::…[])}: a column that is itself an
 * array (text[]) cannot be one dimension of a parameter array, so each row's value travels as a
 * PostgreSQL array literal in a {@code text[]} parameter and the statement casts it back
 * ({@code col::text[]}).
 *
 * <p><b>Cached plans.</b> PostgreSQL plans a prepared statement anew for each execution (a
 * "custom plan") until a generic plan is estimated no dearer than the custom ones. In a custom
 * plan {@code unnest($n)} is estimated at the array's real length, in the generic plan at 10
 * rows; so for batches of fewer than ten rows every custom plan looks cheaper and the statement
 * is planned on every call (session 17, e2e-relay: the delivery settle spent 0.20 ms planning per
 * 0.20 ms executing). The hot multi-row statements therefore take the first array of each
 * {@code unnest(…)} from a sub-select, {@code unnest((SELECT $2::uuid[]), $3::text[], …)}: an
 * init-plan parameter, estimated at 10 rows in both plans (a multi-array unnest is estimated at
 * its largest array), so the generic plan wins after the first five executions and is reused.
 */
public final class SqlArrays {

  private SqlArrays() {}

  /**
   * A PostgreSQL array literal of text values ({@code {"a","b"}}), each quoted and escaped
   * (PostgreSQL manual, "Array Value Input"). The values must not contain NUL, which text cannot
   * hold.
   */
  public static String textLiteral(List<String> values) {
    StringBuilder out = new StringBuilder("{");
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      out.append('"');
      String v = values.get(i);
      for (int k = 0; k < v.length(); k++) {
        char ch = v.charAt(k);
        if (ch == '"' || ch == '\\') {
          out.append('\\');
        }
        out.append(ch);
      }
      out.append('"');
    }
    return out.append('}').toString();
  }

  /** As {@link #textLiteral(List)}. */
  public static String textLiteral(String[] values) {
    return textLiteral(Arrays.asList(values));
  }
}
