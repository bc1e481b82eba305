package dev.postern.admin.cli;

import picocli.CommandLine.Option;

/**
 * The base of an admin subcommand: implement {@link #request} with one call on the client, e.g.
 * {@code return client.post("/admin/v1/domains", new JsonObject().put("name", name));}.
 * Adds {@code --url} / {@code --gateway} for the gateway's base URL.
 */
public abstract class AdminCommand extends AdminRequestCommand {

  @Option(names = {"--url", "--gateway"}, paramLabel = "URL",
      description = "Gateway base URL (default: the admin listener, else https or"
          + " http://127.0.0.1:<http.port from config>).")
  String gateway;

  @Override
  protected String gatewayOption() {
    return gateway;
  }
}
