package dev.postern.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostmasterPidTest {

  @Test
  void readsPidPortAndListenAddressOfTheFileAsPostgresWritesIt(@TempDir Path data)
      throws Exception {
    Files.writeString(data.resolve("postmaster.pid"), String.join("\n",
        "31337", data.toString(), "1764662400", "41234", "/tmp", "127.0.0.1",
        "  1234567     32768", "ready   ", ""));

    assertThat(PostmasterPid.read(data)).isEqualTo(new PostmasterPid(31337, 41234, "127.0.0.1"));
  }

  @Test
  void everywhereOrSocketOnlyMeansLoopback() {
    assertThat(PostmasterPid.parse(List.of("1", "/d", "0", "5432", "/tmp", "*")).host())
        .isEqualTo("127.0.0.1");
    assertThat(PostmasterPid.parse(List.of("1", "/d", "0", "5432")).host())
        .isEqualTo("127.0.0.1");
  }

  @Test
  void fileWithoutAPortLineIsRefused() {
    assertThatThrownBy(() -> PostmasterPid.parse(List.of("1", "/d")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
