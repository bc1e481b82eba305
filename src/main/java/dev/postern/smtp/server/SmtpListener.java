package dev.postern.smtp.server;

import dev.postern.config.PosternConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * One SMTP listener (SPEC §5): where it binds and how its connections start.
 *
 * @param name {@code submission} (STARTTLS, 587/2587), {@code smtps} (implicit TLS, 465/2465),
 *     {@code lan} (the plaintext LAN shim) or {@code mx} (inbound mail from the world, 25/2525,
 *     STARTTLS offered, never AUTH)
 * @param implicitTls TLS from the first byte (RFC 8314 §3.3)
 * @param bareNewlines what a bare LF does on this listener
 */
public record SmtpListener(String name, String host, int port, boolean implicitTls,
    PosternConfig.BareNewlines bareNewlines) {

  public static final String SUBMISSION = "submission";
  public static final String SMTPS = "smtps";
  public static final String LAN = "lan";
  public static final String MX = "mx";

  /** The listeners the configuration turns on (port 0 is off). */
  public static List<SmtpListener> configured(PosternConfig.Smtp smtp) {
    List<SmtpListener> out = new ArrayList<>();
    if (smtp.submissionPort() != 0) {
      out.add(new SmtpListener(SUBMISSION, smtp.host(), smtp.submissionPort(), false,
          PosternConfig.BareNewlines.REJECT));
    }
    if (smtp.smtpsPort() != 0) {
      out.add(new SmtpListener(SMTPS, smtp.host(), smtp.smtpsPort(), true,
          PosternConfig.BareNewlines.REJECT));
    }
    if (smtp.lanPort() != 0) {
      out.add(new SmtpListener(LAN, smtp.lanHost(), smtp.lanPort(), false,
          smtp.lan().bareNewlines()));
    }
    if (smtp.mxPort() != 0) {
      // Bare LF is always refused from the world: the smuggling defence has no exception here.
      out.add(new SmtpListener(MX, smtp.host(), smtp.mxPort(), false,
          PosternConfig.BareNewlines.REJECT));
    }
    return out;
  }

  /** Whether TLS is used at all on this listener (the LAN shim is plaintext only). */
  public boolean tlsAvailable() {
    return !LAN.equals(name);
  }
}
