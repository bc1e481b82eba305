package dev.postern.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseEventsTest {

  private static final String STREAM = ": comment\n"
      + "id: 0\nevent: connected\ndata: {\"mailbox\":\"bench@bench.test\"}\n\n"
      + "id: 7\r\nevent: new_email\r\ndata: {\"message_id\":\"<a@b>\",\r\ndata: \"subject\":\"héllo\"}\r\n\r\n"
      + "event: heartbeat\rdata: {}\r\r";

  @Test
  void eventsAreSplitWhateverTheChunksAndLineEnds() {
    byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
    for (int chunk = 1; chunk <= bytes.length; chunk++) {
      SseEvents parser = new SseEvents();
      List<SseEvents.Event> events = new ArrayList<>();
      for (int at = 0; at < bytes.length; at += chunk) {
        byte[] part = java.util.Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + chunk));
        events.addAll(parser.feed(part));
      }
      assertThat(events).as("chunks of %d bytes", chunk).containsExactly(
          new SseEvents.Event("connected", "0", "{\"mailbox\":\"bench@bench.test\"}"),
          new SseEvents.Event("new_email", "7", "{\"message_id\":\"<a@b>\",\n\"subject\":\"héllo\"}"),
          new SseEvents.Event("heartbeat", "7", "{}"));
    }
  }

  @Test
  void anEventWithoutDataIsNotDispatched() {
    assertThat(new SseEvents().feed("event: new_email\n\n".getBytes(StandardCharsets.UTF_8))).isEmpty();
  }

  @Test
  void messageIdsLoseTheirAngleBrackets() {
    assertThat(StreamFanout.bare(" <x@bench.test> ")).isEqualTo("x@bench.test");
    assertThat(StreamFanout.bare("x@bench.test")).isEqualTo("x@bench.test");
  }
}
