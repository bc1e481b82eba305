package dev.postern.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.postern.support.ContainerFixture.Source;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ContainerFixtureTest {

  private final List<String> warnings = new ArrayList<>();
  private final AtomicInteger dockerAsked = new AtomicInteger();

  private Source choose(String switchValue, boolean docker) {
    return ContainerFixture.choose(switchValue, () -> {
      dockerAsked.incrementAndGet();
      return docker;
    }, warnings::add);
  }

  @Test
  void switchUnsetMeansEmbeddedWithoutAskingDocker() {
    assertThat(choose(null, true)).isEqualTo(Source.EMBEDDED);
    assertThat(dockerAsked).hasValue(0);
    assertThat(warnings).isEmpty();
  }

  @Test
  void onlyTheValueOneSwitchesContainersOn() {
    for (String value : List.of("", "0", "true", "yes", "2")) {
      assertThat(choose(value, true)).as(value).isEqualTo(Source.EMBEDDED);
    }
    assertThat(dockerAsked).hasValue(0);
    assertThat(choose(" 1 ", true)).isEqualTo(Source.CONTAINERS);
  }

  @Test
  void switchOnWithDockerUsesContainers() {
    assertThat(choose("1", true)).isEqualTo(Source.CONTAINERS);
    assertThat(warnings).isEmpty();
  }

  @Test
  void switchOnWithoutDockerFallsBackToEmbeddedAndSaysWhy() {
    assertThat(choose("1", false)).isEqualTo(Source.EMBEDDED);
    assertThat(warnings).singleElement().asString()
        .contains("POSTERN_TEST_CONTAINERS=1", "no Docker engine", "embedded");
  }

  @Test
  void theRealProbeSaysNoWhereNoDockerEngineRuns() {
    // Our machines have no Docker: the probe must answer false, not throw or hang.
    assumeTrue(System.getenv("DOCKER_HOST") == null
        && !Files.exists(Path.of("/var/run/docker.sock")), "a Docker engine may be here");
    assertThat(ContainerFixture.dockerAnswers()).isFalse();
  }
}
