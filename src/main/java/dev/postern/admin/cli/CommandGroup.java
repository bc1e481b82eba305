package dev.postern.admin.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that only groups subcommands ({@code domains}, {@code mailboxes}, …): bare, it is a usage error. */
public abstract class CommandGroup implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getErr().println("postern: missing subcommand");
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }
}
