package dev.postern.inbound.inbox;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The npm {@code eventsource} client following a live stream in a Node process
 * (src/test/resources/inbox/eventsource-follow.mjs): each event it prints is queued here as
 * {@code {type, id, data, at}}.
 */
final class SseFollower implements AutoCloseable {

  private final Process process;
  private final BlockingQueue<JsonObject> events = new LinkedBlockingQueue<>();
  private final List<JsonObject> seen = new ArrayList<>();

  SseFollower(Path project, String url, String key) throws IOException {
    ProcessBuilder builder = new ProcessBuilder("node", "eventsource-follow.mjs").directory(project.toFile())
        .redirectError(ProcessBuilder.Redirect.INHERIT);
    builder.environment().putAll(Map.of("POSTERN_URL", url, "POSTERN_KEY", key));
    process = builder.start();
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        for (String line; (line = lines.readLine()) != null; ) {
          if (line.startsWith("{")) {
            events.add(new JsonObject(line));
          }
        }
      } catch (IOException e) {
        // process gone
      }
    }, "sse-follower");
    reader.setDaemon(true);
    reader.start();
  }

  /** The next event of this type (others are kept in {@link #seen}), or an AssertionError. */
  JsonObject next(String type, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      JsonObject event = left <= 0 ? null : events.poll(left, TimeUnit.NANOSECONDS);
      if (event == null) {
        throw new AssertionError("no " + type + " event within " + timeout + "; seen " + seen);
      }
      seen.add(event);
      if (type.equals(event.getString("type"))) {
        return event;
      }
    }
  }

  List<JsonObject> seen() {
    return seen;
  }

  @Override
  public void close() {
    try {
      process.getOutputStream().close();
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (IOException | InterruptedException e) {
      process.destroyForcibly();
    }
  }
}
