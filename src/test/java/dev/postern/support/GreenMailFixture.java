package dev.postern.support;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

/**
 * A real SMTP server to relay to (TESTING.md): GreenMail on a free loopback port, one per test
 * class. It offers no STARTTLS, SIZE or PIPELINING; fault cases use a scriptable sink instead.
 */
public final class GreenMailFixture implements AutoCloseable {

  private final GreenMail greenMail;
  private final int port;

  private GreenMailFixture(GreenMail greenMail, int port) {
    this.greenMail = greenMail;
    this.port = port;
  }

  public static GreenMailFixture start() {
    int port = FreePort.next();
    GreenMail greenMail = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    greenMail.start();
    return new GreenMailFixture(greenMail, port);
  }

  public GreenMail server() {
    return greenMail;
  }

  public int port() {
    return port;
  }

  /** The relay URL form the gateway takes in POSTERN_RELAY_URL. */
  public String relayUrl() {
    return "smtp://127.0.0.1:" + port;
  }

  @Override
  public void close() {
    greenMail.stop();
  }
}
