package dev.postern.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A private instance of Debian's Postfix, as bench/postfix.sh runs one: its own config, queue and
 * data directories under a test's directory, its log in a file there, smtpd on a free loopback
 * port, no chroot, no local {@code smtp/inet} listener. Needs root (Postfix's master drops to the
 * postfix user) and the package: {@link #unavailable()} says why not, for an assumption.
 *
 * <p>Use: {@link #create} makes the directories (the caller may put files in {@link #etc()}),
 * {@link #start} writes main.cf from the common settings plus the caller's and starts it,
 * {@link #close} stops it whatever state it is in.
 */
public final class PrivatePostfix implements AutoCloseable {

  private final Path work;
  private final Path dir;
  private final int smtpdPort = FreePort.next();
  private boolean started;

  private PrivatePostfix(Path work, Path dir) {
    this.work = work;
    this.dir = dir;
  }

  /** Null when a private Postfix can run here, else the reason it cannot. */
  public static String unavailable() {
    if (!"root".equals(System.getProperty("user.name"))) {
      return "not root: a private Postfix instance needs root to start";
    }
    if (!Files.isExecutable(Path.of("/usr/sbin/postfix"))) {
      return "postfix (Debian's package) is not installed";
    }
    return null;
  }

  /** Makes {@code work/postfix/{etc,queue,data}}, searchable by the postfix user. */
  public static PrivatePostfix create(Path work) throws IOException {
    Path dir = work.resolve("postfix");
    Files.createDirectories(dir.resolve("etc"));
    Files.createDirectories(dir.resolve("queue"));
    Path data = Files.createDirectories(dir.resolve("data"));
    // Postfix's daemons run as the postfix user: the directories above its own must be
    // searchable (@TempDir makes its own 0700).
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    ExternalProgram.succeed(work, Duration.ofSeconds(30), Map.of(), "chown", "postfix", data.toString());
    return new PrivatePostfix(work, dir);
  }

  public Path etc() {
    return dir.resolve("etc");
  }

  public int smtpdPort() {
    return smtpdPort;
  }

  /**
   * Writes main.cf (queue/data directories, loopback only, IPv4, mynetworks 127.0.0.0/8, no
   * aliases, the log file, then {@code settings}, which may override any of these), smtpd on
   * {@link #smtpdPort()}, starts the instance and waits until smtpd answers.
   */
  public void start(List<String> settings) throws IOException {
    Files.copy(Path.of("/etc/postfix/master.cf"), etc().resolve("master.cf"));
    List<String> main = new ArrayList<>(List.of(
        "compatibility_level = 3.6",
        "queue_directory = " + dir.resolve("queue"),
        "data_directory = " + dir.resolve("data"),
        "mail_owner = postfix",
        "setgid_group = postdrop",
        "inet_interfaces = loopback-only",
        "inet_protocols = ipv4",
        "mynetworks = 127.0.0.0/8",
        "alias_maps =",
        "alias_database =",
        "maillog_file_prefixes = " + dir,
        "maillog_file = " + dir.resolve("maillog")));
    main.addAll(settings);
    main.add("");
    Files.writeString(etc().resolve("main.cf"), String.join("\n", main));
    postconf("-F", "*/*/chroot = n");
    postconf("-M#", "smtp/inet");
    postconf("-Me", "127.0.0.1:" + smtpdPort + "/inet = 127.0.0.1:" + smtpdPort
        + " inet n - n - - smtpd");
    postconf("-Me", "postlog/unix-dgram = postlog unix-dgram n - n - 1 postlogd");
    started = true;
    ExternalProgram.succeed(work, Duration.ofSeconds(60), Map.of(), "postfix", "-c", etc().toString(), "start");
    Eventually.until(Duration.ofSeconds(30), this::smtpdListening,
        () -> "Postfix smtpd not listening on " + smtpdPort + "; log:\n" + maillog());
  }

  /** {@code postconf -c <etc> args…}. */
  public void postconf(String... args) {
    String[] command = new String[args.length + 3];
    command[0] = "postconf";
    command[1] = "-c";
    command[2] = etc().toString();
    System.arraycopy(args, 0, command, 3, args.length);
    ExternalProgram.succeed(work, Duration.ofSeconds(30), Map.of(), command);
  }

  /** The instance's log so far ("" before it writes one). */
  public String maillog() {
    try {
      Path log = dir.resolve("maillog");
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return "(maillog unreadable: " + e + ")";
    }
  }

  private boolean smtpdListening() {
    try (SmtpWire probe = SmtpWire.connect(smtpdPort)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Stops the instance whatever state it is in: {@code postfix stop}, then, if this instance's
   * master (by its pid file, and only while that pid is still a Postfix master) has not exited
   * within 10 s, kills it.
   */
  @Override
  public void close() {
    if (!started) {
      return;
    }
    Path pidFile = dir.resolve("queue/pid/master.pid");
    ProcessHandle master = null;
    try {
      if (Files.exists(pidFile)) {
        master = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim()))
            .filter(p -> p.info().command().map(c -> c.endsWith("/master")).orElse(false))
            .orElse(null);
      }
    } catch (IOException | NumberFormatException e) {
      // no readable pid file: postfix stop below is all there is to do
    }
    ExternalProgram.run(work, Duration.ofSeconds(60), Map.of(), "postfix", "-c", etc().toString(), "stop");
    if (master != null) {
      try {
        master.onExit().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        master.destroyForcibly();
      }
    }
  }
}
