package dev.postern;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.FreePort;
import dev.postern.support.GatewayProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #9 item 4: every request that reaches a gateway while it starts gets an answer, or is
 * refused at connect — none hangs. Clients keep opening fresh connections from before the process
 * starts until after it is ready, so some land in the instant the HTTP port is bound; Vert.x
 * 5.0.10 accepts those before the server's metrics exist, which used to leave their requests
 * unanswered (see {@code http.HttpServerRequestMetrics}).
 */
class StartupRequestsIT {

  private static final int CLIENTS = 16;
  /** Far above any answer's time on a loaded machine; a request still open after it is hung. */
  private static final int ANSWER_BOUND_MILLIS = 15_000;

  @TempDir Path work;

  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong answered = new AtomicLong();
  private final AtomicLong answeredAfterReady = new AtomicLong();
  private final List<String> unanswered = java.util.Collections.synchronizedList(new ArrayList<>());
  private volatile boolean ready;
  private volatile boolean stopped;

  @Test
  void everyRequestSentWhileTheGatewayStartsIsAnsweredOrRefusedAtConnect() throws Exception {
    int port = FreePort.next();
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    List<Future<?>> running = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      running.add(clients.submit(() -> requestUntilStopped(port)));
    }
    try (GatewayProcess gateway = GatewayProcess.start(work, Map.of(
        "POSTERN_DATA_DIR", work.resolve("data").toString(),
        "POSTERN_HTTP_HOST", "127.0.0.1",
        "POSTERN_HTTP_PORT", Integer.toString(port)))) {
      gateway.awaitReady(Duration.ofSeconds(120));
      ready = true;
      // Settled: plenty of requests answered by the ready gateway after the start-up window.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (answeredAfterReady.get() < 200 && System.nanoTime() < deadline) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
      stopped = true;
      for (Future<?> client : running) {
        client.get(ANSWER_BOUND_MILLIS * 2L, TimeUnit.MILLISECONDS);
      }
      assertThat(gateway.terminate(Duration.ofSeconds(30))).isZero();
    } finally {
      stopped = true;
      clients.shutdownNow();
    }
    assertThat(answeredAfterReady.get()).as("answered after ready").isGreaterThanOrEqualTo(200);
    assertThat(refused.get()).as("connections refused before the port was bound").isPositive();
    assertThat(unanswered).as("requests that reached the gateway and got no answer (of %d answered)",
        answered.get()).isEmpty();
  }

  private void requestUntilStopped(int port) {
    while (!stopped) {
      boolean readyWhenSent = ready;
      try (Socket socket = new Socket()) {
        try {
          socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
        } catch (IOException notListening) {
          refused.incrementAndGet();
          // Pace the retries a little so sixteen clients do not starve the starting gateway.
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
          continue;
        }
        socket.setSoTimeout(ANSWER_BOUND_MILLIS);
        String status = exchange(socket);
        if (status.startsWith("HTTP/1.1 ")) {
          answered.incrementAndGet();
          if (readyWhenSent) {
            answeredAfterReady.incrementAndGet();
          }
        } else {
          unanswered.add(status);
        }
      } catch (IOException e) {
        unanswered.add("failed: " + e);
      }
    }
  }

  /** The status line of the answer, or what happened instead. */
  private static String exchange(Socket socket) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = socket.getInputStream();
    StringBuilder line = new StringBuilder();
    try {
      for (int b = in.read(); b != -1 && b != '\n'; b = in.read()) {
        line.append((char) b);
      }
    } catch (SocketTimeoutException hung) {
      return "no answer within " + ANSWER_BOUND_MILLIS + " ms";
    }
    return line.isEmpty() ? "closed without an answer" : line.toString().trim();
  }
}
