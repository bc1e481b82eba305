package dev.postern.admin.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code postern activity [--limit N] [--before CURSOR]}: the audit feed, newest first. */
@Command(name = "activity", description = "Show the audit trail, newest first.")
public final class ActivityCommand extends AdminCommand {

  @Option(names = "--limit", description = "Rows, 1–100 (default 50).") Integer limit;

  @Option(names = "--before", description = "A next_cursor from an earlier page.") String before;

  @Override
  protected AdminClient.Response request(AdminClient client) throws Exception {
    StringBuilder path = new StringBuilder("/admin/v1/activity");
    char sep = '?';
    if (limit != null) {
      path.append(sep).append("limit=").append(limit);
      sep = '&';
    }
    if (before != null) {
      path.append(sep).append("before=").append(encode(before));
    }
    return client.get(path.toString());
  }
}
