package dev.postern.admin.cli;

import dev.postern.config.ConfigError;
import dev.postern.config.ConfigLoader;
import dev.postern.config.PosternConfig;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What every admin subcommand shares: find the gateway and the admin token, make one request,
 * print the JSON answer. Exit codes: 0 on 2xx, 1 on an API error or an unreachable gateway (one
 * line on stderr), 2 on usage or configuration errors. Extend {@link AdminCommand}, not this.
 *
 * <p>Token: {@code --token}, else {@code POSTERN_ADMIN_TOKEN} / {@code secrets.admin_token}, else
 * the generated {@code <data dir>/secrets/admin-token}.
 */
public abstract class AdminRequestCommand implements Callable<Integer> {

  /** A usage problem found while building the request (e.g. an unreadable file): exit 2. */
  public static final class UsageError extends RuntimeException {
    public UsageError(String message) {
      super(message, null, false, false);
    }
  }

  @Spec protected CommandSpec spec;

  @Option(names = "--token", description = "Admin token (default: $POSTERN_ADMIN_TOKEN, else "
      + "<data dir>/secrets/admin-token).")
  String token;

  @Option(names = {"-c", "--config"}, description = "Configuration file (default: $POSTERN_CONFIG, "
      + "else the built-in defaults), for the port and data directory.")
  Path configFile;

  /** The gateway's base URL option, or null for {@code http://127.0.0.1:<http.port>}. */
  protected abstract String gatewayOption();

  /** Makes the command's request. */
  protected abstract AdminClient.Response request(AdminClient client) throws Exception;

  /**
   * The admin listener when it is separate (plain HTTP on a loopback address), else the API
   * listener on this host, over HTTPS when {@code http.tls} is on.
   */
  static String defaultBase(PosternConfig config) {
    if (config.admin().separate()) {
      String host = config.admin().host();
      return "http://" + (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host)
          + ":" + config.admin().port();
    }
    return (config.httpTls().enabled() ? "https" : "http") + "://127.0.0.1:" + config.http().port();
  }

  @Override
  public final Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    PosternConfig config;
    try {
      config = loadConfig();
    } catch (ConfigError e) {
      e.problems().forEach(p -> err.println("postern: invalid configuration: " + p));
      return 2;
    }
    String base = gatewayOption() != null ? gatewayOption() : defaultBase(config);
    String adminToken = resolveToken(config);
    if (adminToken == null) {
      err.println("postern: no admin token: pass --token, set POSTERN_ADMIN_TOKEN, or start the "
          + "gateway once to generate " + config.dataDir().resolve("secrets/admin-token"));
      return 2;
    }
    AdminClient.Response response;
    try {
      response = request(new AdminClient(base, adminToken));
    } catch (UsageError e) {
      err.println("postern: " + e.getMessage());
      return 2;
    } catch (IOException | IllegalArgumentException e) {
      err.println("postern: cannot reach the gateway at " + base + " (" + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    } catch (Exception e) {
      err.println("postern: " + e);
      return 1;
    }
    JsonObject body = response.json();
    if (response.ok()) {
      out.println(body == null ? response.body() : body.encodePrettily());
      out.flush();
      return 0;
    }
    String message = body == null ? "HTTP " + response.status()
        : body.getString("name", "error") + ": " + body.getString("message", "HTTP " + response.status());
    err.println("postern: " + message.replace('\n', ' '));
    return 1;
  }

  private PosternConfig loadConfig() {
    Path chosen = configFile;
    if (chosen == null) {
      String fromEnv = System.getenv("POSTERN_CONFIG");
      chosen = fromEnv == null || fromEnv.isBlank() ? null : Path.of(fromEnv);
    }
    return ConfigLoader.load(chosen, System.getenv());
  }

  private String resolveToken(PosternConfig config) {
    if (token != null && !token.isBlank()) {
      return token.trim();
    }
    if (config.secrets().adminToken() != null) {
      return config.secrets().adminToken();
    }
    Path file = config.dataDir().resolve("secrets/admin-token");
    try {
      String stored = Files.readString(file, StandardCharsets.US_ASCII).trim();
      return stored.isEmpty() ? null : stored;
    } catch (IOException e) {
      return null;
    }
  }

  /** Percent-encodes a path segment or query value typed by the user. */
  protected static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
