package dev.postern.smtp.server;

import java.time.Duration;

/**
 * What one listener's connections need to know besides their session.
 *
 * @param name the listener in logs and metrics: {@code submission}, {@code smtps}, {@code lan}
 */
record ListenerSettings(String name, Duration idleTimeout, Duration sessionTimeout) {}
