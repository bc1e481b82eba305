package dev.postern.inbound.store;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Received text made storable: PostgreSQL's text and jsonb reject U+0000 (a hostile or broken
 * message may carry it in any decoded field), so it is removed; nothing else is changed.
 */
final class Text {

  private Text() {}

  static String clean(String s) {
    return s == null || s.indexOf('\u0000') < 0 ? s : s.replace("\u0000", "");
  }

  static String[] clean(List<String> list) {
    return list == null ? new String[0] : list.stream().map(Text::clean).toArray(String[]::new);
  }

  /** {@code [{name, value}]} header fields with every string cleaned. */
  static JsonArray clean(JsonArray headers) {
    if (headers == null) {
      return null;
    }
    JsonArray out = new JsonArray();
    for (Object o : headers) {
      if (o instanceof JsonObject field) {
        out.add(new JsonObject().put("name", clean(field.getString("name")))
            .put("value", clean(field.getString("value"))));
      }
    }
    return out;
  }
}
