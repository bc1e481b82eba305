package dev.postern.admin.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code postern webhooks create --url U --event E… | list | delete ID}. */
@Command(name = "webhooks", description = "Manage webhook endpoints.",
    subcommands = {WebhooksCommand.Create.class, WebhooksCommand.List.class, WebhooksCommand.Delete.class})
public final class WebhooksCommand extends CommandGroup {

  /** Here {@code --url} is the endpoint, so the gateway is given with {@code --gateway} only. */
  @Command(name = "create", description = "Add an endpoint; prints its signing secret once.")
  static final class Create extends AdminRequestCommand {
    @Option(names = "--gateway", paramLabel = "URL",
        description = "Gateway base URL (default: the admin listener, else https or"
        + " http://127.0.0.1:<http.port from config>).")
    String gateway;

    @Option(names = "--url", required = true, description = "The endpoint (http:// or https://).")
    String url;

    @Option(names = "--event", required = true, arity = "1..*",
        description = "email.sent, email.delivered, email.deferred, email.bounced, email.received or *.")
    java.util.List<String> events;

    @Option(names = "--domain", description = "Only this domain's events.") String domain;

    @Override
    protected String gatewayOption() {
      return gateway;
    }

    @Override
    protected AdminClient.Response request(AdminClient client) throws Exception {
      JsonObject body = new JsonObject().put("url", url).put("events", new JsonArray(events));
      if (domain != null) {
        body.put("domain", domain);
      }
      return client.post("/admin/v1/webhooks", body);
    }
  }

  @Command(name = "list", description = "List endpoints (without secrets).")
  static final class List extends AdminCommand {
    @Override
    protected AdminClient.Response request(AdminClient client) throws Exception {
      return client.get("/admin/v1/webhooks");
    }
  }

  @Command(name = "delete", description = "Delete an endpoint.")
  static final class Delete extends AdminCommand {
    @Parameters(paramLabel = "ID") String id;

    @Override
    protected AdminClient.Response request(AdminClient client) throws Exception {
      return client.delete("/admin/v1/webhooks/" + encode(id));
    }
  }
}
