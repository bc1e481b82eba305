package dev.postern.smtp.session;

import dev.postern.auth.AuthenticatedKey;
import java.net.InetSocketAddress;
import java.util.Optional;

/** What a policy hook may look at: the peer, whether TLS is on, and the key if authenticated. */
public record HookContext(InetSocketAddress client, boolean tls, Optional<AuthenticatedKey> key) {}
