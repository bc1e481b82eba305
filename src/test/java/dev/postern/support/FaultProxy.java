package dev.postern.support;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on its own Vert.x instance, put between a gateway and a real dependency (S3,
 * Redis) to inject network faults (TESTING.md "Faults") on a port that stays the same:
 * <ul>
 *   <li>{@link #pass()}: bytes flow both ways to the upstream;</li>
 *   <li>{@link #hang()}: connections are accepted and never answered; those already open stop
 *       forwarding (a hung server);</li>
 *   <li>{@link #down()}: the port is closed and open connections are cut (a stopped server).</li>
 * </ul>
 * Changing mode cuts every connection that was hung, so a recovered dependency starts clean.
 */
public final class FaultProxy implements AutoCloseable {

  public enum Mode { PASS, HANG, DOWN }

  private record Pair(NetSocket client, NetSocket[] upstream) {}

  private final Vertx vertx = Vertx.vertx();
  private final NetClient client;
  private final String upstreamHost;
  private final int upstreamPort;
  private final int port;
  private final List<Pair> open = new CopyOnWriteArrayList<>();
  private volatile Mode mode = Mode.PASS;
  private volatile NetServer server;
  private final Object listening = new Object();

  private FaultProxy(String upstreamHost, int upstreamPort) {
    this.upstreamHost = upstreamHost;
    this.upstreamPort = upstreamPort;
    this.client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(5_000));
    this.port = FreePort.next();
  }

  /** A proxy in {@link Mode#PASS} on a free 127.0.0.1 port, forwarding to host:port. */
  public static FaultProxy to(String host, int port) {
    FaultProxy proxy = new FaultProxy(host, port);
    proxy.listen();
    return proxy;
  }

  public int port() {
    return port;
  }

  public Mode mode() {
    return mode;
  }

  // Mode changes and cuts hold this object's lock, as accept() does while it registers and
  // judges a new connection; listening and closing happen outside it, since their completion
  // needs the event loop that accept() runs on.
  public void pass() {
    synchronized (this) {
      cutAll();
      mode = Mode.PASS;
    }
    listen();
  }

  public void hang() {
    synchronized (this) {
      mode = Mode.HANG;
      for (Pair pair : open) {
        pair.client().pause();
        if (pair.upstream()[0] != null) {
          pair.upstream()[0].pause();
        }
      }
    }
    listen();
  }

  public void down() {
    NetServer closing;
    synchronized (this) {
      mode = Mode.DOWN;
      closing = server;
      server = null;
    }
    if (closing != null) {
      closing.close().await(); // refused from here on
    }
    synchronized (this) {
      cutAll();
    }
  }

  private void listen() {
    synchronized (listening) {
      if (server != null) {
        return;
      }
      NetServer created = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1")
          .setPort(port).setReuseAddress(true));
      created.connectHandler(this::accept);
      created.listen().await();
      server = created;
    }
  }

  private void accept(NetSocket socket) {
    Pair pair = new Pair(socket, new NetSocket[1]);
    socket.closeHandler(v -> {
      open.remove(pair);
      if (pair.upstream()[0] != null) {
        pair.upstream()[0].close();
      }
    });
    socket.pause();
    // Registered and judged under the lock that pass() and hang() hold: a connection accepted
    // while pass() ran (between its cut and its mode change) was left paused, hung, and missed
    // by the cut — a client then waited for its connect timeout (SmtpHostileInputIT, session 15).
    synchronized (this) {
      open.add(pair);
      if (mode != Mode.PASS) {
        return; // accepted, never read, never answered
      }
    }
    client.connect(upstreamPort, upstreamHost).onComplete(connected -> {
      if (connected.failed()) {
        socket.close();
        return;
      }
      NetSocket upstream = connected.result();
      pair.upstream()[0] = upstream;
      if (mode != Mode.PASS) {
        upstream.pause();
        return;
      }
      upstream.closeHandler(v -> socket.close());
      socket.handler(data -> {
        if (mode == Mode.PASS) {
          upstream.write(data);
        }
      });
      upstream.handler(data -> {
        if (mode == Mode.PASS) {
          socket.write(data);
        }
      });
      socket.resume();
    });
  }

  private void cutAll() {
    for (Pair pair : open) {
      pair.client().close();
      if (pair.upstream()[0] != null) {
        pair.upstream()[0].close();
      }
    }
    open.clear();
  }

  @Override
  public void close() {
    try {
      down();
    } finally {
      vertx.close().await();
    }
  }
}
