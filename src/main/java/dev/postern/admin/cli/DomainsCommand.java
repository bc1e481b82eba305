package dev.postern.admin.cli;

import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code postern domains create NAME | list | verify ID}. */
@Command(name = "domains", description = "Manage sending domains.",
    subcommands = {DomainsCommand.Create.class, DomainsCommand.List.class, DomainsCommand.Verify.class})
public final class DomainsCommand extends CommandGroup {

  @Command(name = "create", description = "Add a domain; prints the DNS records to publish.")
  static final class Create extends AdminCommand {
    @Parameters(paramLabel = "NAME") String name;

    @Override
    protected AdminClient.Response request(AdminClient client) throws Exception {
      return client.post("/admin/v1/domains", new JsonObject().put("name", name));
    }
  }

  @Command(name = "list", description = "List domains.")
  static final class List extends AdminCommand {
    @Override
    protected AdminClient.Response request(AdminClient client) throws Exception {
      return client.get("/admin/v1/domains");
    }
  }

  @Command(name = "verify", description = "Check the domain's verification TXT record in DNS.")
  static final class Verify extends AdminCommand {
    @Parameters(paramLabel = "ID") String id;

    @Override
    protected AdminClient.Response request(AdminClient client) throws Exception {
      return client.post("/admin/v1/domains/" + encode(id) + "/verify", null);
    }
  }
}
