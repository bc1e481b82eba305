package dev.postern.smtp.codec;

import java.util.ArrayList;
import java.util.List;

/** Properties and fuzz regressions of the decoder (TESTING.md "Fuzzing and properties"). */
class SmtpServerDecoderPropertiesTest {

  /** Merges consecutive "content:" events (chunks of one read or of several). */
  static List<String> mergeContent(List<String> events) {
    List<String> merged = new ArrayList<>();
    for (String event : events) {
      int last = merged.size() - 1;
      if (event.startsWith("content:") && last >= 0 && merged.get(last).startsWith("content:")) {
        merged.set(last, merged.get(last) + event.substring("content:".length()));
      } else {
        merged.add(event);
      }
    }
    return merged;
  }
}
