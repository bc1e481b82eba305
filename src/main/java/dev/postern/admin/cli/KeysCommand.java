package dev.postern.admin.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code postern keys create|list|show|revoke|rotate|reveal|audit|reseal} — the admin key API
 * (SPEC §4) from the command line, e.g.
 * {@code java -jar postern.jar keys create --mailbox bot@example.com --scope send_only}.
 */
@Command(name = "keys", description = "Manage API keys.",
    subcommands = {KeysCommand.Create.class, KeysCommand.List.class, KeysCommand.Show.class,
        KeysCommand.Revoke.class, KeysCommand.Rotate.class, KeysCommand.Reveal.class,
        KeysCommand.Audit.class, KeysCommand.Reseal.class})
public final class KeysCommand extends CommandGroup {

  static final class Binding {
    @Option(names = "--mailbox", required = true, description = "Bind the key to this mailbox.") String mailbox;
    @Option(names = "--domain", required = true, description = "Bind the key to a whole domain.") String domain;
  }

  @Command(name = "create", description = "Issue a key; its value is printed once.")
  static final class Create extends AdminCommand {
    @ArgGroup(exclusive = true, multiplicity = "1") Binding binding;

    @Option(names = "--name", defaultValue = "cli", description = "A label (default: ${DEFAULT-VALUE}).") String name;

    @Option(names = "--scope", description = "Preset: send_only (default), read_only, full_access.") String scope;

    @Option(names = "--scopes", split = ",", description = "Explicit scopes, e.g. emails:send,inbox:*.") java.util.List<String> scopes;

    @Option(names = "--mode", description = "live (default) or test (sandbox).") String mode;

    @Option(names = "--rate-limit", description = "Messages per hour (default from configuration).") Integer rateLimit;

    @Option(names = "--expires-at", description = "ISO-8601 time with offset, e.g. 2027-01-01T00:00:00Z.") String expiresAt;

    @Override
    protected AdminClient.Response request(AdminClient client) throws Exception {
      if (scope != null && scopes != null) {
        throw new UsageError("give --scope or --scopes, not both");
      }
      JsonObject body = new JsonObject().put("name", name);
      if (binding.mailbox != null) {
        body.put("mailbox", binding.mailbox);
      } else {
        body.put("domain", binding.domain);
      }
      if (scope != null) {
        body.put("scope", scope);
      }
      if (scopes != null) {
        body.put("scopes", new JsonArray(scopes));
      }
      if (mode != null) {
        body.put("mode", mode);
      }
      if (rateLimit != null) {
        body.put("rate_limit_per_hour", rateLimit);
      }
      if (expiresAt != null) {
        body.put("expires_at", expiresAt);
      }
      return client.post("/admin/v1/keys", body);
    }
  }

  @Command(name = "list", description = "List keys (metadata only).")
  static final class List extends AdminCommand {
    @Override
    protected AdminClient.Response request(AdminClient client) throws Exception {
      return client.get("/admin/v1/keys");
    }
  }

  @Command(name = "show", description = "One key's metadata.")
  static final class Show extends AdminCommand {
    @Parameters(paramLabel = "ID") String id;

    @Override
    protected AdminClient.Response request(AdminClient client) throws Exception {
      return client.get("/admin/v1/keys/" + encode(id));
    }
  }

  @Command(name = "revoke", description = "Revoke a key (immediate on every node).")
  static final class Revoke extends AdminCommand {
    @Parameters(paramLabel = "ID") String id;

    @Override
    protected AdminClient.Response request(AdminClient client) throws Exception {
      return client.delete("/admin/v1/keys/" + encode(id));
    }
  }

  @Command(name = "rotate", description = "Issue a new value with the same settings and revoke the old one.")
  static final class Rotate extends AdminCommand {
    @Parameters(paramLabel = "ID") String id;

    @Override
    protected AdminClient.Response request(AdminClient client) throws Exception {
      return client.post("/admin/v1/keys/" + encode(id) + "/rotate", new JsonObject());
    }
  }

  @Command(name = "reveal", description = "Print a key's value again (sends the admin token as confirmation).")
  static final class Reveal extends AdminCommand {
    @Parameters(paramLabel = "ID") String id;

    @Override
    protected AdminClient.Response request(AdminClient client) throws Exception {
      return client.post("/admin/v1/keys/" + encode(id) + "/reveal",
          new JsonObject().put("admin_token", client.token()));
    }
  }

  @Command(name = "audit", description = "A key's audit history, newest first.")
  static final class Audit extends AdminCommand {
    @Parameters(paramLabel = "ID") String id;

    @Option(names = "--limit", defaultValue = "50") int limit;

    @Override
    protected AdminClient.Response request(AdminClient client) throws Exception {
      return client.get("/admin/v1/keys/" + encode(id) + "/audit?limit=" + limit);
    }
  }

  @Command(name = "reseal", description = "Re-encrypt every sealed value (API keys, DKIM private keys, webhook secrets) under the current (first) master secret version.")
  static final class Reseal extends AdminCommand {
    @Override
    protected AdminClient.Response request(AdminClient client) throws Exception {
      return client.post("/admin/v1/keys/_reseal", new JsonObject());
    }
  }
}
