package dev.postern.delivery;

import dev.postern.blob.BlobStore;
import dev.postern.config.PosternConfig;
import dev.postern.delivery.smtp.RelayConnector;
import dev.postern.queue.Claim;
import dev.postern.queue.ClaimLoop;
import dev.postern.queue.OutboundQueue;
import dev.postern.queue.RetryPolicy;
import io.vertx.core.Vertx;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The parts one delivery verticle owns, built on its event loop: a socket client, one connection
 * pool per relay (each relay's {@code max_connections} is per node, split across the workers),
 * the router, the service and its claim loop over the queue.
 */
public record DeliveryStack(RelayRouter router, ClaimLoop<Claim> loop) {

  @FunctionalInterface
  public interface Factory {
    DeliveryStack create(Vertx vertx);
  }

  public static Factory factory(PosternConfig.Delivery config, OutboundQueue queue,
      BlobStore blobs, MessageSigner signer, DeliveryListener listener, Clock clock,
      ClaimedLocalDelivery local) {
    Set<UUID> nodeInHand = ClaimLoop.nodeInHand(); // the workers' loops share it
    return vertx -> {
      ClientSSLOptions ssl = new ClientSSLOptions().setHostnameVerificationAlgorithm("HTTPS");
      if (config.tlsCaFile() != null) {
        ssl.setTrustOptions(new PemTrustOptions().addCertPath(config.tlsCaFile()));
      }
      var client = vertx.createNetClient(new NetClientOptions()
          .setConnectTimeout((int) config.connectTimeout().toMillis())
          .setTcpNoDelay(true));
      RelayConnector connector = new RelayConnector(vertx, client, ssl, config.heloName(),
          config.replyTimeout().toMillis());
      List<RelayPool> pools = config.relays().stream()
          .map(relay -> new RelayPool(vertx, relay,
              Math.max(1, relay.maxConnections() / config.workers()), connector,
              config.idleTimeout().toMillis()))
          .toList();
      RelayRouter router = new RelayRouter(pools, config.dataTimeout().toMillis());
      RetryPolicy retries = new RetryPolicy(config.retryBase(), config.retryMax(),
          config.retryHorizon(), () -> ThreadLocalRandom.current().nextDouble());
      DeliveryService service = new DeliveryService(vertx, queue, router, blobs, signer, listener,
          retries, clock, config.lease().multipliedBy(2), local);
      // Without relays every attempt ends at once ("no relay configured"): claim in batches.
      // With relays, two messages in hand per connection: one on the wire while the other is
      // signed, waits for a connection (RelayPool queues in order) or is being settled, so a
      // connection does not sit idle through its message's DKIM signature and settle. The relay
      // sees no more connections than configured. What a killed node leaves delivered but
      // unsettled (sent again after its lease) stays bounded by this (NodeDeathDeliveryIT).
      // e2e-relay, session 23, A B B A: one per connection 2 599 / 2 394 msg/s, two per
      // connection 2 914 / 2 694 (0.64 -> 0.38 commits and ~0.24 -> 0.20 ms of PostgreSQL per
      // message; 32 connections with one each measured the same, 2 762 / 3 027). Session 9's
      // four per connection halved claim commits too, and was dropped for that bound.
      // A busy loop claims again once half its slots are free, not a quarter (session 22:
      // commits 0.73-0.74 -> 0.66-0.67 per message, msg/s the same within the runs' spread).
      int capacity = pools.isEmpty() ? 32 : 2 * router.capacity();
      return new DeliveryStack(router, new ClaimLoop<>(vertx, "delivery", queue, service::deliver,
          new ClaimLoop.Settings(capacity, capacity, config.lease(), config.pollInterval(),
              capacity / 2), nodeInHand));
    };
  }
}
