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
      // With relays, one message in hand per connection: what a killed node leaves delivered
      // but unsettled (sent again after its lease) stays bounded by its connections
      // (NodeDeathDeliveryIT). Holding four per connection halved the claim commits of
      // e2e-relay (session 9) but let that bound grow fourfold.
      // A busy loop claims again once half its slots are free, not a quarter: with 8 connections
      // per worker, claims of ~4 rows instead of ~2 (e2e-relay, session 22, A B B A: commits
      // 0.73-0.74 -> 0.66-0.67 and PostgreSQL 0.25-0.26 -> 0.23-0.24 ms per message, msg/s the
      // same within the runs' spread).
      int capacity = pools.isEmpty() ? 32 : router.capacity();
      return new DeliveryStack(router, new ClaimLoop<>(vertx, "delivery", queue, service::deliver,
          new ClaimLoop.Settings(capacity, capacity, config.lease(), config.pollInterval(),
              capacity / 2), nodeInHand));
    };
  }
}
