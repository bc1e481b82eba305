package dev.postern.smtp.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.smtp.SmtpResponse;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * SMTP in /metrics: sessions (open and total), commands by verb, replies by code and enhanced
 * status (RFC 3463) — which is how accepts and refusals by reason show: {@code 2.0.0} queued,
 * {@code 4.7.1} quota, {@code 4.3.0} a dependency down, {@code 5.3.4} too large, {@code 5.7.1}
 * sender outside the key's binding, {@code 5.7.8} bad key.
 */
public final class SmtpMetrics {

  /** Verbs counted by name; anything else is counted as "other" so labels stay bounded. */
  private static final Set<String> VERBS = Set.of("EHLO", "HELO", "STARTTLS", "AUTH", "MAIL",
      "RCPT", "DATA", "RSET", "NOOP", "QUIT", "VRFY", "EXPN", "HELP", "BDAT");

  private static final Pattern ENHANCED_STATUS = Pattern.compile("[245]\\.\\d{1,3}\\.\\d{1,3}");

  private final MeterRegistry registry;
  private final AtomicInteger open = new AtomicInteger();
  /**
   * The per-command and per-reply counters by their labels (bounded: listeners × verbs, codes ×
   * statuses): building and registering a meter per reply cost the MX ~3% of its CPU.
   */
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  public SmtpMetrics(MeterRegistry registry) {
    this.registry = registry;
    registry.gauge("postern_smtp_sessions_open", open);
  }

  void sessionOpened(String listener) {
    open.incrementAndGet();
    Counter.builder("postern_smtp_sessions").tag("listener", listener).register(registry).increment();
  }

  void sessionClosed() {
    open.decrementAndGet();
  }

  void refusedConnection(String listener, String why) {
    Counter.builder("postern_smtp_connections_refused").tag("listener", listener)
        .tag("reason", why).register(registry).increment();
  }

  void command(String listener, String verb) {
    String upper = verb.toUpperCase(Locale.ROOT);
    String command = VERBS.contains(upper) ? upper : "other";
    counters.computeIfAbsent("command\0" + listener + "\0" + command,
        k -> Counter.builder("postern_smtp_commands").tag("listener", listener)
            .tag("command", command).register(registry))
        .increment();
  }

  void reply(String listener, SmtpResponse response) {
    String status = enhancedStatus(response);
    int code = response.code();
    counters.computeIfAbsent("reply\0" + listener + "\0" + code + "\0" + status,
        k -> Counter.builder("postern_smtp_replies").tag("listener", listener)
            .tag("code", Integer.toString(code)).tag("status", status).register(registry))
        .increment();
  }

  void timeout(String listener, String which) {
    Counter.builder("postern_smtp_timeouts").tag("listener", listener).tag("timeout", which)
        .register(registry).increment();
  }

  /** The RFC 3463 code at the front of the first line, or "none". */
  static String enhancedStatus(SmtpResponse response) {
    if (response.details().isEmpty()) {
      return "none";
    }
    String first = response.details().get(0).toString();
    int space = first.indexOf(' ');
    String token = space < 0 ? first : first.substring(0, space);
    return ENHANCED_STATUS.matcher(token).matches() ? token : "none";
  }
}
