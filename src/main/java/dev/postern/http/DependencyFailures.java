package dev.postern.http;

import dev.postern.refusal.DependencyRefusals;

/**
 * Maps an unreachable dependency to the contract's answer (SPEC §3): object store down → 502
 * {@code storage_unavailable}; database down, or Redis down under {@code fail_closed} → 503
 * {@code unavailable}. The classification is the core's ({@link DependencyRefusals}), shared with
 * every other edge. Everything else is left for the next translator (ultimately 500).
 */
public final class DependencyFailures implements ErrorHandler.Translator {

  @Override
  public ApiException apply(Throwable failure) {
    return DependencyRefusals.of(failure).map(HttpRefusals::toApi).orElse(null);
  }
}
