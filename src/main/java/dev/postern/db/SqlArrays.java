package dev.postern.db;

import java.util.Arrays;
import java.util.List;

/**
 * Values for multi-row statements over {@code unnest($n::…[])}: a column that is itself an
 * array (text[]) cannot be one dimension of a parameter array, so each row's value travels as a
 * PostgreSQL array literal in a {@code text[]} parameter and the statement casts it back
 * ({@code col::text[]}).
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
