package dev.postern;

import dev.postern.admin.cli.ActivityCommand;
import dev.postern.admin.cli.DomainsCommand;
import dev.postern.admin.cli.KeysCommand;
import dev.postern.admin.cli.MailboxesCommand;
import dev.postern.admin.cli.WebhooksCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar postern.jar [serve]} runs the gateway; other subcommands administer it. Exit
 * codes: 0 clean stop, 1 start-up failure, 2 invalid configuration or usage.
 */
@Command(name = "postern", mixinStandardHelpOptions = true,
    description = "Self-hosted transactional email gateway.",
    subcommands = {ServeCommand.class,
        DomainsCommand.class, MailboxesCommand.class, KeysCommand.class, WebhooksCommand.class,
        ActivityCommand.class})
public final class Main implements Runnable {

  public static void main(String[] args) {
    if (System.getProperty("vertx.logger-delegate-factory-class-name") == null) {
      System.setProperty("vertx.logger-delegate-factory-class-name",
          "io.vertx.core.logging.SLF4JLogDelegateFactory");
    }
    String[] effective = args.length == 0 ? new String[] {"serve"} : args;
    int code = new CommandLine(new Main()).execute(effective);
    System.exit(code);
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
