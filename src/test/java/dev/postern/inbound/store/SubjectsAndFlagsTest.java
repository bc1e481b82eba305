package dev.postern.inbound.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Thread subjects (RFC 5256 §2.1, simplified) and flag sets (RFC 3501 §2.3.2). */
class SubjectsAndFlagsTest {

  @Test
  void theBaseSubjectDropsReplyAndForwardLeadersAndTags() {
    assertThat(Threader.baseSubject("Re: Re: Plans")).isEqualTo("Plans");
    assertThat(Threader.baseSubject("RE[2]: Fwd: [list] Re: Plans (fwd)")).isEqualTo("Plans");
    assertThat(Threader.baseSubject("Fw: AW: SV: status")).isEqualTo("status");
    assertThat(Threader.baseSubject("[ticket 42]")).isEqualTo("[ticket 42]");
    assertThat(Threader.baseSubject("Regarding: plans")).isEqualTo("Regarding: plans");
    assertThat(Threader.baseSubject(null)).isEmpty();
  }

  @Test
  void systemFlagsAreCanonicalAndKeywordsAreAtoms() {
    assertThat(MessageFlags.normalize(List.of("\\SEEN", "\\flagged", "$Label1", "\\Recent", "\\Seen")))
        .containsExactly("$Label1", "\\Flagged", "\\Seen");
    assertThatThrownBy(() -> MessageFlags.normalize(List.of("\\Important")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MessageFlags.normalize(List.of("a b")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MessageFlags.normalize(List.of("")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
