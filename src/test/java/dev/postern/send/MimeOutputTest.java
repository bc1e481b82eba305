package dev.postern.send;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MimeOutputTest {

  @Test
  void bulkAsciiAcrossTheBufferIsByteForByteWhatWasGiven() throws Exception {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 50_000; i++) {
      text.append((char) ('!' + i % 90));
    }
    String source = text.toString();
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    MimeOutput out = new MimeOutput(sink);
    StringBuilder expected = new StringBuilder();
    for (int start = 0; start < source.length(); start += 76) {
      int end = Math.min(source.length(), start + 76);
      out.ascii(source, start, end); // a String: the bulk path
      out.crlf();
      expected.append(source, start, end).append("\r\n");
    }
    out.ascii(new StringBuilder("tail")); // another CharSequence: a char at a time
    expected.append("tail");
    out.flush();
    assertThat(sink.toString(StandardCharsets.US_ASCII)).isEqualTo(expected.toString());
    assertThat(out.written()).isEqualTo(expected.length());
  }
}
