package dev.postern.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a real program a test drives (an SMTP client, npm, Postfix's tools) with a deadline, its
 * output kept in files so a full pipe can never stall it.
 */
public final class ExternalProgram {

  /** What a finished program left: its exit code and both outputs. */
  public record Outcome(int exitCode, String stdout, String stderr) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\nstdout: " + stdout + "\nstderr: " + stderr;
    }
  }

  private ExternalProgram() {}

  /** True when {@code command} starts and exits 0 within 30 s (used to skip when a tool is absent). */
  public static boolean runs(String... command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      process.getOutputStream().close();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return false;
      }
      return process.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Runs {@code command} in {@code dir}; fails the test unless it exits 0 within {@code timeout}. */
  public static String succeed(Path dir, Duration timeout, Map<String, String> env, String... command) {
    Outcome outcome = run(dir, timeout, env, command);
    assertThat(outcome.exitCode()).as(String.join(" ", command) + "\n" + outcome).isZero();
    return outcome.stdout();
  }

  /** Runs {@code command} in {@code dir} and returns how it ended; fails only on the deadline. */
  public static Outcome run(Path dir, Duration timeout, Map<String, String> env, String... command) {
    try {
      Path out = Files.createTempFile(dir, "out-", ".log");
      Path err = Files.createTempFile(dir, "err-", ".log");
      ProcessBuilder builder = new ProcessBuilder(List.of(command)).directory(dir.toFile())
          .redirectOutput(out.toFile()).redirectError(err.toFile());
      builder.environment().putAll(env);
      Process process = builder.start();
      process.getOutputStream().close();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout
            + "\nstdout: " + Files.readString(out) + "\nstderr: " + Files.readString(err));
      }
      return new Outcome(process.exitValue(), Files.readString(out), Files.readString(err));
    } catch (IOException e) {
      throw new AssertionError("cannot run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
