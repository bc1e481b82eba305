package dev.postern.bench;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The command-line options that turn on cost measuring (a picocli mixin). */
final class CostProbeOptions {

  @Option(names = "--cost-pg-data",
      description = "measure the cost per message: the gateway's PostgreSQL data directory "
          + "(embedded: <POSTERN_DATA_DIR>/pg; its postmaster.pid gives pid and port)")
  Path pgData;

  @Option(names = "--cost-gateway-pid",
      description = "the gateway JVM's pid (or its launcher's), for its CPU")
  Long gatewayPid;

  @Option(names = "--cost-pg-user", defaultValue = "postgres")
  String user = "postgres";

  @Option(names = "--cost-pg-database", defaultValue = "postgres",
      description = "the gateway's database (pg_stat_database row, pg_stat_user_tables)")
  String database = "postgres";

  boolean enabled() {
    return pgData != null;
  }

  /** A connected probe, or null when cost measuring is off. */
  CostProbe open() throws Exception {
    if (!enabled()) {
      return null;
    }
    if (gatewayPid == null) {
      throw new IllegalArgumentException("--cost-pg-data needs --cost-gateway-pid");
    }
    return CostProbe.open(pgData, gatewayPid, user, database);
  }
}
