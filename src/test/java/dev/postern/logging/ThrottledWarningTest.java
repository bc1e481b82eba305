package dev.postern.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ThrottledWarningTest {

  private static ListAppender<ILoggingEvent> linesOf(Logger logger) {
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    return lines;
  }

  @Test
  void logsOncePerIntervalWithTheCountOfSuppressedWarnings() {
    Logger logger = (Logger) LoggerFactory.getLogger("throttled-warning-test");
    ListAppender<ILoggingEvent> lines = linesOf(logger);
    AtomicLong nanos = new AtomicLong();
    ThrottledWarning warning = new ThrottledWarning(logger, Duration.ofSeconds(10), nanos::get);

    for (int i = 0; i < 1000; i++) {
      warning.warn("store unavailable", new IOException("refused"));
    }
    nanos.addAndGet(Duration.ofSeconds(10).toNanos());
    warning.warn("store unavailable", new IOException("refused"));

    assertThat(lines.list).hasSize(2);
    assertThat(lines.list.get(0).getFormattedMessage()).contains("(0 similar warnings suppressed");
    assertThat(lines.list.get(1).getFormattedMessage()).contains("(999 similar warnings suppressed");
  }

  @Test
  void writesTheDetailAsTextWithoutAStackTrace() {
    Logger logger = (Logger) LoggerFactory.getLogger("throttled-warning-detail-test");
    ListAppender<ILoggingEvent> lines = linesOf(logger);
    ThrottledWarning warning = new ThrottledWarning(logger, Duration.ofSeconds(30));

    warning.warn("audit queue full; entry dropped", "3 dropped in total");
    warning.warn("audit queue full; entry dropped", "4 dropped in total");
    new ThrottledWarning(logger, Duration.ofSeconds(30)).warn("store down", new IOException("refused"));

    assertThat(lines.list).hasSize(2);
    assertThat(lines.list.get(0).getFormattedMessage())
        .startsWith("audit queue full; entry dropped: 3 dropped in total (0 similar");
    assertThat(lines.list.get(1).getFormattedMessage()).contains("java.io.IOException: refused");
    assertThat(lines.list.get(1).getThrowableProxy()).isNull();
  }
}
