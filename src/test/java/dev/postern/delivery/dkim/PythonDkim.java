package dev.postern.delivery.dkim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An independent DKIM verifier: Debian's {@code python3-dkim} (dkimpy), run as a child process
 * with a DNS lookup function that answers only our record's name. Installs nothing: when the
 * module is missing, {@link #available()} says why and tests using it are skipped.
 */
public final class PythonDkim {

  /** The system interpreter first: Debian's module is not on a pyenv/venv path. */
  private static final List<String> INTERPRETERS = List.of("/usr/bin/python3", "python3");

  private static final String SCRIPT = """
      import sys, dkim
      message = open(sys.argv[1], 'rb').read()
      record_name = sys.argv[2].encode('ascii')
      record_value = open(sys.argv[3], 'rb').read()
      asked = []
      def dnsfunc(name, timeout=5):
          asked.append(name)
          return record_value if name.rstrip(b'.') == record_name else None
      class Log:
          def __init__(self): self.lines = []
          def debug(self, *a): self.lines.append(str(a[0] % a[1:] if len(a) > 1 else a[0]))
          info = warning = error = debug
      log = Log()
      ok = dkim.verify(message, logger=log, dnsfunc=dnsfunc)
      print('PASS' if ok else 'FAIL')
      print('asked=%r' % asked)
      for line in log.lines: print(line)
      sys.exit(0 if ok else 1)
      """;

  private static String interpreter;
  private static String unavailable;

  private PythonDkim() {}

  /** Null when the verifier can run; otherwise the reason it cannot. */
  public static synchronized String unavailableReason() {
    if (interpreter != null || unavailable != null) {
      return unavailable;
    }
    for (String candidate : INTERPRETERS) {
      try {
        Process p = new ProcessBuilder(candidate, "-c", "import dkim, nacl")
            .redirectErrorStream(true).start();
        if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
          interpreter = candidate;
          return null;
        }
      } catch (IOException e) {
        // try the next interpreter
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    unavailable = "python3-dkim (with python3-nacl) is not installed: "
        + "apt-get install -y python3-dkim to run the independent DKIM verification";
    return unavailable;
  }

  public static boolean available() {
    return unavailableReason() == null;
  }

  /** What dkimpy said about one message. */
  public record Verdict(boolean verified, String output) {}

  public static Verdict verify(byte[] signedMessage, DkimRecord record) {
    try {
      Path dir = Files.createTempDirectory("dkim-verify-");
      Path script = Files.writeString(dir.resolve("verify.py"), SCRIPT);
      Path message = Files.write(dir.resolve("message.eml"), signedMessage);
      Path txt = Files.writeString(dir.resolve("record.txt"), record.value(), StandardCharsets.US_ASCII);
      Process p = new ProcessBuilder(interpreter, script.toString(), message.toString(),
          record.name(), txt.toString()).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("dkimpy did not finish");
      }
      return new Verdict(p.exitValue() == 0 && output.startsWith("PASS"), output);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
