package dev.postern.domains;

import io.vertx.core.Future;
import io.vertx.core.dns.DnsClient;
import io.vertx.core.dns.DnsException;
import io.vertx.core.dns.DnsResponseCode;
import java.util.List;

/**
 * TXT lookups through Vert.x's non-blocking DNS client, against the configured server
 * ({@code dns.server}). A name that does not exist is an empty answer, not a failure; a timeout
 * or server failure fails the future.
 */
public final class DnsTxtLookup {

  private final DnsClient client;

  public DnsTxtLookup(DnsClient client) {
    this.client = client;
  }

  public Future<List<String>> txt(String name) {
    return client.resolveTXT(name).recover(e -> {
      if (e instanceof DnsException dns && dns.code() == DnsResponseCode.NXDOMAIN) {
        return Future.succeededFuture(List.of());
      }
      return Future.failedFuture(e);
    });
  }

  public Future<Void> close() {
    return client.close();
  }
}
