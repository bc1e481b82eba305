package dev.postern.support;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.core.parsetools.RecordParser;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scriptable upstream relay for fault tests (TESTING.md "Faults"): a small SMTP server on its
 * own Vert.x instance offering PIPELINING, SIZE and AUTH. Each mail transaction (each MAIL FROM)
 * takes the next {@link Script} from the queue, or accepts everything when the queue is empty.
 * Accepted messages are kept, un-dot-stuffed, for the test to read.
 */
public final class FaultRelay implements AutoCloseable {

  public enum Fault { NONE, DROP_AFTER_DATA, STALL_MID_DATA }

  /**
   * @param mailReply reply to MAIL FROM, or null for 250
   * @param rcptReply reply to every RCPT TO, or null for 250
   * @param finalReply reply after the content, or null for 250 with a queue id
   * @param rcptOnly the one address {@code rcptReply} applies to, or null for every RCPT
   */
  public record Script(String mailReply, String rcptReply, String finalReply, Fault fault,
      String rcptOnly) {
    public Script(String mailReply, String rcptReply, String finalReply, Fault fault) {
      this(mailReply, rcptReply, finalReply, fault, null);
    }

    public static Script rcpt(String reply) {
      return new Script(null, reply, null, Fault.NONE);
    }

    public static Script rcpt(String address, String reply) {
      return new Script(null, reply, null, Fault.NONE, address);
    }

    public static Script afterData(String reply) {
      return new Script(null, null, reply, Fault.NONE);
    }

    public static Script fault(Fault fault) {
      return new Script(null, null, null, fault);
    }
  }

  public record Received(String from, List<String> recipients, String content) {
    /** The Message-ID header's value, or null. */
    public String messageId() {
      for (String line : content.split("\r\n")) {
        if (line.regionMatches(true, 0, "Message-ID:", 0, 11)) {
          return line.substring(11).trim();
        }
        if (line.isEmpty()) {
          break;
        }
      }
      return null;
    }
  }

  private final Vertx vertx;
  private final NetServer server;
  private NetServer implicitTls;
  private SelfSignedCertificate certificate;
  private final Queue<Script> scripts = new ConcurrentLinkedQueue<>();
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final List<String> auths = new CopyOnWriteArrayList<>();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger transactions = new AtomicInteger();
  private final List<Boolean> tlsSessions = new CopyOnWriteArrayList<>();
  private volatile long acceptDelayMs;
  private volatile boolean holdEnvelopeReplies;
  private volatile boolean acceptEmptyData;
  private volatile java.util.function.Consumer<Received> observer;

  private FaultRelay(Vertx vertx, NetServer server) {
    this.vertx = vertx;
    this.server = server;
  }

  public static FaultRelay start() {
    Vertx vertx = Vertx.vertx();
    NetServer server = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0));
    FaultRelay relay = new FaultRelay(vertx, server);
    server.connectHandler(relay::session);
    server.listen().await();
    return relay;
  }

  /**
   * With a self-signed certificate for {@code localhost}: STARTTLS offered on {@link #port()},
   * and implicit TLS on {@link #tlsPort()}. Clients trust {@link #certificatePath()}.
   */
  public static FaultRelay startWithTls() {
    Vertx vertx = Vertx.vertx();
    SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
    NetServer server = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0)
        .setKeyCertOptions(cert.keyCertOptions()));
    FaultRelay relay = new FaultRelay(vertx, server);
    relay.certificate = cert;
    server.connectHandler(relay::session);
    server.listen().await();
    relay.implicitTls = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0)
        .setSsl(true).setKeyCertOptions(cert.keyCertOptions()));
    relay.implicitTls.connectHandler(relay::session);
    relay.implicitTls.listen().await();
    return relay;
  }

  public int tlsPort() {
    return implicitTls.actualPort();
  }

  public String certificatePath() {
    return certificate.certificatePath();
  }

  /** Whether each accepted message's session was encrypted, in arrival order. */
  public List<Boolean> tlsSessions() {
    return List.copyOf(tlsSessions);
  }

  public int port() {
    return server.actualPort();
  }

  public String relayUrl() {
    return "smtp://127.0.0.1:" + port();
  }

  /** Scripts for the next transactions, in order. */
  public FaultRelay script(Script... next) {
    scripts.addAll(List.of(next));
    return this;
  }

  /** Holds every final 250 back this long (a slow relay keeps deliveries in flight). */
  public FaultRelay delayAccepts(Duration delay) {
    acceptDelayMs = delay.toMillis();
    return this;
  }

  /**
   * Replies to MAIL and RCPT are held back and written together with the reply to DATA, as
   * RFC 2920 §3.2 lets a server do. A client that waits for one of them before sending DATA
   * hangs until its reply timeout: only a client that pipelines the group through DATA works.
   */
  public FaultRelay holdEnvelopeRepliesUntilData() {
    holdEnvelopeReplies = true;
    return this;
  }

  /**
   * DATA is answered 354 even when no recipient was accepted (what RFC 2920 §3.1 warns clients
   * of); the empty data phase is then refused at its final dot.
   */
  public FaultRelay acceptDataWithoutRecipients() {
    acceptEmptyData = true;
    return this;
  }

  /**
   * Hands each accepted message to {@code observer} (on the relay's event loop, before its 250
   * is written) instead of keeping it: long runs record digests, not every message's content.
   */
  public FaultRelay handOver(java.util.function.Consumer<Received> observer) {
    this.observer = observer;
    return this;
  }

  public List<Received> received() {
    return List.copyOf(received);
  }

  public int connections() {
    return connections.get();
  }

  public int transactions() {
    return transactions.get();
  }

  /** AUTH lines as received (base64 as sent). */
  public List<String> auths() {
    return List.copyOf(auths);
  }

  private void session(NetSocket socket) {
    connections.incrementAndGet();
    Session s = new Session(socket);
    RecordParser parser = RecordParser.newDelimited("\r\n", s::line);
    socket.handler(parser);
    socket.exceptionHandler(e -> socket.close()); // a killed client resets: expected here
    socket.write("220 fault-relay ESMTP ready\r\n");
  }

  private final class Session {
    private final NetSocket socket;
    private Script script;
    private String from;
    private final List<String> rcpts = new ArrayList<>();
    private StringBuilder data;
    private boolean stalled;
    private final StringBuilder held = new StringBuilder();

    Session(NetSocket socket) {
      this.socket = socket;
    }

    void line(Buffer raw) {
      if (stalled) {
        return;
      }
      String line = raw.toString(StandardCharsets.UTF_8);
      if (data != null) {
        dataLine(line);
        return;
      }
      String upper = line.toUpperCase();
      if (upper.startsWith("EHLO")) {
        boolean offerTls = certificate != null && !socket.isSsl();
        reply("250-fault-relay\r\n250-PIPELINING\r\n250-SIZE 10485760\r\n250-AUTH PLAIN LOGIN\r\n"
            + (offerTls ? "250-STARTTLS\r\n" : "") + "250 8BITMIME");
      } else if (upper.equals("STARTTLS") && certificate != null && !socket.isSsl()) {
        socket.write("220 2.0.0 ready to start TLS\r\n").onSuccess(v -> socket.upgradeToSsl());
      } else if (upper.startsWith("HELO")) {
        reply("250 fault-relay");
      } else if (upper.startsWith("AUTH")) {
        auths.add(line);
        reply("235 2.7.0 authenticated");
      } else if (upper.startsWith("MAIL FROM:")) {
        transactions.incrementAndGet();
        script = scripts.poll();
        if (script == null) {
          script = new Script(null, null, null, Fault.NONE);
        }
        rcpts.clear();
        from = line.substring(10);
        envelopeReply(script.mailReply() != null ? script.mailReply() : "250 2.1.0 ok");
      } else if (upper.startsWith("RCPT TO:")) {
        String address = strip(line.substring(8));
        boolean scripted = script != null && script.rcptReply() != null
            && (script.rcptOnly() == null || script.rcptOnly().equals(address));
        String reply = script == null ? "503 5.5.1 MAIL first"
            : scripted ? script.rcptReply() : "250 2.1.5 ok";
        if (reply.startsWith("250")) {
          rcpts.add(address);
        }
        envelopeReply(reply);
      } else if (upper.equals("DATA")) {
        flushHeld();
        if (rcpts.isEmpty() && !acceptEmptyData) {
          reply("554 5.5.1 no valid recipients");
          return;
        }
        data = new StringBuilder();
        reply("354 go ahead");
        if (script.fault() == Fault.STALL_MID_DATA) {
          stalled = true;
          socket.pause();
        }
      } else if (upper.equals("RSET")) {
        script = null;
        rcpts.clear();
        reply("250 2.0.0 reset");
      } else if (upper.equals("NOOP")) {
        reply("250 2.0.0 ok");
      } else if (upper.equals("QUIT")) {
        reply("221 2.0.0 bye");
        socket.close();
      } else {
        reply("500 5.5.2 unknown command");
      }
    }

    private void dataLine(String line) {
      if (!line.equals(".")) {
        data.append(line.startsWith(".") ? line.substring(1) : line).append("\r\n");
        return;
      }
      String content = data.toString();
      data = null;
      Script current = script;
      script = null;
      if (rcpts.isEmpty()) {
        reply("554 5.5.1 no valid recipients"); // acceptDataWithoutRecipients: nothing is kept
        return;
      }
      if (current.fault() == Fault.DROP_AFTER_DATA) {
        socket.close();
        return;
      }
      if (current.finalReply() != null) {
        reply(current.finalReply());
        return;
      }
      Received message = new Received(strip(from), List.copyOf(rcpts), content);
      java.util.function.Consumer<Received> handedOver = observer;
      if (handedOver != null) {
        handedOver.accept(message);
      } else {
        received.add(message);
      }
      tlsSessions.add(socket.isSsl());
      String ok = "250 2.0.0 ok: queued as " + received.size();
      if (acceptDelayMs > 0) {
        vertx.setTimer(acceptDelayMs, t -> reply(ok));
      } else {
        reply(ok);
      }
    }

    private void reply(String text) {
      socket.write(text + "\r\n");
    }

    private void envelopeReply(String text) {
      if (holdEnvelopeReplies) {
        held.append(text).append("\r\n");
      } else {
        reply(text);
      }
    }

    private void flushHeld() {
      if (!held.isEmpty()) {
        socket.write(held.toString());
        held.setLength(0);
      }
    }
  }

  private static String strip(String path) {
    String p = path.trim();
    int space = p.indexOf(' ');
    if (space > 0) {
      p = p.substring(0, space);
    }
    return p.startsWith("<") && p.endsWith(">") ? p.substring(1, p.length() - 1) : p;
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
