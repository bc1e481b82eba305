package dev.postern.support;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Treats Vert.x's blocked-thread warning as a test failure (TESTING.md): any event loop blocked
 * while a test class ran fails that class. Registered for every test class through JUnit's
 * extension auto-detection (see META-INF/services).
 */
public final class BlockedThreadGuard implements BeforeAllCallback, AfterAllCallback {

  private static final List<String> WARNINGS = new CopyOnWriteArrayList<>();

  /** Logback appender that keeps every "Thread ... has been blocked" warning. */
  public static final class Recorder extends AppenderBase<ILoggingEvent> {
    @Override
    protected void append(ILoggingEvent event) {
      String message = event.getFormattedMessage();
      if (message != null && message.contains("has been blocked for")
          && message.contains("eventloop")) {
        WARNINGS.add(message);
      }
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    WARNINGS.clear();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (!WARNINGS.isEmpty()) {
      String first = WARNINGS.get(0);
      WARNINGS.clear();
      throw new AssertionError("an event loop was blocked during "
          + context.getDisplayName() + ": " + first);
    }
  }
}
