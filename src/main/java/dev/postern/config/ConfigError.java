package dev.postern.config;

import java.util.List;

/**
 * Every invalid setting found while loading configuration, one line each naming the key (and the
 * environment variable that set it, when one did). Thrown once, after the whole configuration was
 * read, so an operator sees every mistake in one start attempt.
 */
public final class ConfigError extends RuntimeException {

  private final List<String> problems;

  public ConfigError(List<String> problems) {
    super(String.join("; ", problems), null, false, false);
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
