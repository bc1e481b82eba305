package dev.postern.admin.cli;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code postern mailboxes create ADDRESS [--tier T] [--pgp-key-file F] | list | delete ID}. */
@Command(name = "mailboxes", description = "Manage mailboxes.",
    subcommands = {MailboxesCommand.Create.class, MailboxesCommand.List.class, MailboxesCommand.Delete.class})
public final class MailboxesCommand extends CommandGroup {

  @Command(name = "create", description = "Add a mailbox (its domain is created if missing).")
  static final class Create extends AdminCommand {
    @Parameters(paramLabel = "ADDRESS") String address;

    @Option(names = "--tier", paramLabel = "plaintext|standard",
        description = "Encryption tier (default: standard with a key, else plaintext).")
    String tier;

    @Option(names = "--pgp-key-file", paramLabel = "FILE",
        description = "ASCII-armoured OpenPGP public key (required by the standard tier).")
    Path keyFile;

    @Override
    protected AdminClient.Response request(AdminClient client) throws Exception {
      JsonObject body = new JsonObject().put("address", address);
      if (tier != null) {
        body.put("encryption_tier", tier);
      }
      if (keyFile != null) {
        try {
          body.put("pgp_public_key", Files.readString(keyFile, StandardCharsets.UTF_8));
        } catch (IOException e) {
          throw new UsageError("cannot read " + keyFile + " (" + e.getClass().getSimpleName() + ")");
        }
      }
      return client.post("/admin/v1/mailboxes", body);
    }
  }

  @Command(name = "list", description = "List mailboxes.")
  static final class List extends AdminCommand {
    @Option(names = "--domain", description = "Only this domain's mailboxes.") String domain;

    @Override
    protected AdminClient.Response request(AdminClient client) throws Exception {
      return client.get("/admin/v1/mailboxes" + (domain == null ? "" : "?domain=" + encode(domain)));
    }
  }

  @Command(name = "delete", description = "Delete a mailbox.")
  static final class Delete extends AdminCommand {
    @Parameters(paramLabel = "ID") String id;

    @Override
    protected AdminClient.Response request(AdminClient client) throws Exception {
      return client.delete("/admin/v1/mailboxes/" + encode(id));
    }
  }
}
