package dev.postern.webhooks;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Resolves a webhook URL's host and checks every address it resolves to, at connect time
 * (issue #15 item 8). The caller connects to the address returned here and to no other, with
 * the URL's name kept for the Host header and TLS (SNI, certificate check): a name whose DNS
 * answer changes between this check and the connection (DNS rebinding) cannot move the request
 * to an address that was not checked.
 *
 * <p>Every address of the answer must be public ({@link PublicAddresses}), not just the first:
 * a mixed answer is a rebinding attempt or a misconfiguration either way. With
 * {@code webhooks.allow_private_targets} the check is off (in-cluster receivers), the name is
 * still resolved once here and the request still goes to the address resolved.
 *
 * <p>The lookup blocks (the system resolver: /etc/hosts, then DNS), so it runs on the named
 * worker pool given, never on the event loop.
 */
final class WebhookTargets {

  /** The name lookup; the system resolver in production, a fixed table in tests. */
  @FunctionalInterface
  interface Resolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  static final Resolver SYSTEM = InetAddress::getAllByName;

  /** The URL's host resolved to an address webhooks may not reach; the text is the attempt's error. */
  static final class Refused extends Exception {
    Refused(String message) {
      super(message, null, false, false);
    }
  }

  private final WorkerExecutor lookups;
  private final Resolver resolver;
  private final boolean allowPrivate;

  WebhookTargets(WorkerExecutor lookups, Resolver resolver, boolean allowPrivate) {
    this.lookups = lookups;
    this.resolver = resolver;
    this.allowPrivate = allowPrivate;
  }

  /**
   * @param host the URL's host (an IPv6 literal with or without brackets)
   * @return the address to connect to; failed with {@link Refused} for a non-public address
   *     (unless allowed), or with the resolver's {@link UnknownHostException}
   */
  Future<InetAddress> resolve(String host) {
    return lookups.executeBlocking(() -> {
      InetAddress[] addresses = resolver.resolve(host);
      if (addresses.length == 0) {
        throw new UnknownHostException(host);
      }
      if (!allowPrivate) {
        for (InetAddress address : addresses) {
          String why = PublicAddresses.whyNotPublic(address);
          if (why != null) {
            throw new Refused("refused: " + host + " resolves to " + why + " ("
                + address.getHostAddress() + "); webhooks.allow_private_targets permits it");
          }
        }
      }
      return addresses[0];
    }, false);
  }
}
