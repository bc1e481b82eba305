package dev.postern.wiring;

import io.vertx.core.Future;

/**
 * One feature wired from the {@link Core} (the HTTP API, delivery, webhooks; next the SMTP
 * server and the inbox): built in its constructor, running after {@link #start}, released by
 * {@link #stop}, which is called only after a successful start.
 */
public interface Feature {

  Future<Void> start();

  Future<Void> stop();
}
