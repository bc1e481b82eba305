package dev.postern.config;

import dev.postern.config.PosternConfig.BareNewlines;
import dev.postern.config.PosternConfig.Deployment;
import dev.postern.config.PosternConfig.Lan;
import dev.postern.config.PosternConfig.LanNetwork;
import dev.postern.config.PosternConfig.Smtp;
import java.time.Duration;
import java.util.List;

/** Reads the {@code smtp} section: listeners, TLS material, limits and the LAN shim's rules. */
final class SmtpConfig {

  private SmtpConfig() {}

  static Smtp read(ConfigReader r, Deployment deployment) {
    String certFile = r.optionalString("smtp.tls_cert_file");
    String keyFile = r.optionalString("smtp.tls_key_file");
    if ((certFile == null) != (keyFile == null)) {
      r.problem(certFile == null ? "smtp.tls_cert_file" : "smtp.tls_key_file",
          "tls_cert_file and tls_key_file are set together or not at all");
    }
    int submission = r.port("smtp.submission_port", 2587, true);
    int smtps = r.port("smtp.smtps_port", 2465, true);
    if (deployment == Deployment.PRODUCTION && certFile == null && (submission != 0 || smtps != 0)) {
      r.problem("smtp.tls_cert_file", "is required in production while a submission port is on"
          + " (set POSTERN_SMTP_TLS_CERT_FILE and POSTERN_SMTP_TLS_KEY_FILE, PEM)");
    }
    List<LanNetwork> networks = r.raw("smtp.lan.networks") instanceof String listed
        ? parseNetworks(listed)
        : r.objects("smtp.lan.networks", o -> new LanNetwork(o.getString("cidr"), o.getString("key_id")));
    for (int i = 0; i < networks.size(); i++) {
      if (networks.get(i).cidr() == null || networks.get(i).keyId() == null) {
        r.problem("smtp.lan.networks[" + i + "]", "needs both \"cidr\" and \"key_id\"");
      }
    }
    Lan lan = new Lan(
        r.choice("smtp.lan.bare_newlines", BareNewlines.class, BareNewlines.REJECT),
        networks,
        r.bool("smtp.lan.rewrite_from", false));
    return new Smtp(
        r.string("smtp.host", "0.0.0.0"),
        submission,
        smtps,
        r.port("smtp.lan_port", 0, true),
        r.string("smtp.lan_host", "127.0.0.1"),
        r.port("smtp.mx_port", 2525, true),
        r.integer("smtp.max_message_bytes", 41_943_040, 1024, Integer.MAX_VALUE),
        r.integer("smtp.max_recipients", 100, 1, 10_000),
        r.string("smtp.server_name", "localhost"),
        certFile,
        keyFile,
        r.integer("smtp.instances", 0, 0, 256),
        r.integer("smtp.max_connections", 1000, 1, 1_000_000),
        r.integer("smtp.max_connections_per_address", 20, 1, 1_000_000),
        Duration.ofSeconds(r.integer("smtp.idle_timeout_seconds", 300, 1, 3600)),
        Duration.ofSeconds(r.integer("smtp.session_timeout_seconds", 1800, 1, 86_400)),
        Duration.ofSeconds(r.integer("smtp.shutdown_grace_seconds", 10, 0, 600)),
        r.integer("smtp.max_auth_failures", 3, 1, 100),
        lan);
  }

  /** The environment form, {@code 192.168.1.0/24=<key id>,10.0.0.0/8=<key id>}. */
  private static List<LanNetwork> parseNetworks(String listed) {
    List<LanNetwork> out = new java.util.ArrayList<>();
    for (String entry : listed.split(",")) {
      if (entry.isBlank()) {
        continue;
      }
      int eq = entry.indexOf('=');
      out.add(eq < 0 ? new LanNetwork(entry.trim(), null)
          : new LanNetwork(entry.substring(0, eq).trim(), entry.substring(eq + 1).trim()));
    }
    return out;
  }
}
