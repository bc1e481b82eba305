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

  @Test
  void inMemoryOutputGrowsPastAShortEstimateAndKeepsEveryByte() throws Exception {
    MimeOutput out = MimeOutput.inMemory(10);
    StringBuilder expected = new StringBuilder();
    for (int i = 0; i < 5_000; i++) {
      String line = "line " + i;
      out.ascii(line);
      out.crlf();
      out.write('.');
      expected.append(line).append("\r\n.");
    }
    out.flush();
    assertThat(out.contents().toString(StandardCharsets.US_ASCII)).isEqualTo(expected.toString());
    assertThat(out.contents().length()).isEqualTo(expected.length());
    assertThat(out.written()).isEqualTo(expected.length());
  }
}
