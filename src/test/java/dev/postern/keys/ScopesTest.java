package dev.postern.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authorization.WildcardPermissionBasedAuthorization;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ScopesTest {

  private static User keyWith(String... scopes) {
    return Scopes.attach(User.fromName("key_0123"), List.of(scopes));
  }

  @Test
  void parsesEveryConcreteScope() {
    List<String> all = Arrays.stream(Scope.values()).map(Scope::wire).toList();
    assertThat(all).containsExactly("emails:send", "emails:read", "inbox:read", "inbox:write",
        "domains:read", "webhooks:read", "webhooks:write");
    assertThat(Scopes.parse(all)).isEqualTo(all);
  }

  @Test
  void expandsPresetsAndRemovesDuplicatesKeepingOrder() {
    assertThat(Scopes.parse(List.of("send_only"))).containsExactly("emails:send");
    assertThat(Scopes.parse(List.of("read_only"))).containsExactly("inbox:read");
    assertThat(Scopes.parse(List.of("domains:read", "full_access", "emails:send")))
        .containsExactly("domains:read", "emails:send", "emails:read", "inbox:read",
            "inbox:write");
    assertThat(Scopes.defaults()).containsExactly("emails:send");
  }

  @Test
  void acceptsWildcards() {
    assertThat(Scopes.parse(List.of("emails:*", "*", "webhooks:*")))
        .containsExactly("emails:*", "*", "webhooks:*");
  }

  @Test
  void anEmptyListIsValidAndGrantsNothing() {
    assertThat(Scopes.parse(List.of())).isEmpty();
    User user = keyWith();
    for (Scope scope : Scope.values()) {
      assertThat(Scopes.grants(user, scope)).as(scope.wire()).isFalse();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"emails", "emails:", "emails:delete", "inbox:send", "Emails:send",
      "emails:send ", " emails:send", "*:read", "*:*", "emails:send,read", "emails:send:x",
      "emails:**", "unknown:*", "", ":", "**", "send-only", "SEND_ONLY"})
  void refusesAnEntryNamingIt(String entry) {
    assertThatThrownBy(() -> Scopes.parse(List.of("emails:send", entry)))
        .isInstanceOfSatisfying(Scopes.InvalidScopeException.class, e ->
            assertThat(e.entries()).containsExactly(entry))
        .hasMessageContaining("'" + entry + "'");
  }

  @Test
  void namesEveryRefusedEntryAndEscapesControlCharacters() {
    List<String> requested = new ArrayList<>(List.of("a:b", "inbox:read", "x\r\ny"));
    requested.add(null);
    assertThatThrownBy(() -> Scopes.parse(requested))
        .isInstanceOfSatisfying(Scopes.InvalidScopeException.class, e ->
            assertThat(e.entries()).containsExactly("a:b", "x\\u000d\\u000ay", "null"))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\r").doesNotContain("\n"));
  }

  @Test
  void boundsEchoedEntriesAndListSize() {
    assertThatThrownBy(() -> Scopes.parse(List.of("x".repeat(10_000))))
        .isInstanceOfSatisfying(Scopes.InvalidScopeException.class, e ->
            assertThat(e.entries().get(0)).hasSize(65).endsWith("…"));
    assertThatThrownBy(() -> Scopes.parse(java.util.Collections.nCopies(65, "emails:send")))
        .hasMessageContaining("at most 64");
  }

  @Test
  void resourceWildcardGrantsOnlyThatResource() {
    User user = keyWith("emails:*");
    assertThat(Scopes.grants(user, Scope.EMAILS_SEND)).isTrue();
    assertThat(Scopes.grants(user, "emails:read")).isTrue();
    assertThat(Scopes.grants(user, Scope.INBOX_READ)).isFalse();
    assertThat(Scopes.grants(user, Scope.WEBHOOKS_WRITE)).isFalse();
  }

  @Test
  void starGrantsEverything() {
    User user = keyWith("*");
    for (Scope scope : Scope.values()) {
      assertThat(Scopes.grants(user, scope)).as(scope.wire()).isTrue();
    }
  }

  @Test
  void concreteScopesGrantExactlyThemselves() {
    for (Scope granted : Scope.values()) {
      User user = keyWith(granted.wire());
      for (Scope required : Scope.values()) {
        assertThat(Scopes.grants(user, required))
            .as(granted + " grants " + required).isEqualTo(granted == required);
      }
    }
  }

  @Test
  void presetsGrantTheirExpansion() {
    User sendOnly = keyWith("send_only");
    assertThat(Scopes.grants(sendOnly, Scope.EMAILS_SEND)).isTrue();
    assertThat(Scopes.grants(sendOnly, Scope.INBOX_READ)).isFalse();
    User readOnly = keyWith("read_only");
    assertThat(Scopes.grants(readOnly, Scope.INBOX_READ)).isTrue();
    assertThat(Scopes.grants(readOnly, Scope.EMAILS_SEND)).isFalse();
    User full = keyWith("full_access");
    assertThat(Scopes.grants(full, Scope.INBOX_WRITE)).isTrue();
    assertThat(Scopes.grants(full, Scope.DOMAINS_READ)).isFalse();
  }

  @Test
  void routeGuardShapeWorksThroughVertxAuth() {
    // The guard the HTTP layer will use, straight from vertx-auth-common.
    User user = keyWith("inbox:*");
    assertThat(WildcardPermissionBasedAuthorization.create("inbox:read").match(user)).isTrue();
    assertThat(Scope.INBOX_WRITE.authorization().match(user)).isTrue();
    assertThat(Scope.EMAILS_SEND.authorization().match(user)).isFalse();
    assertThat(user.authorizations().contains(Scopes.PROVIDER_ID)).isTrue();
  }

  @Test
  void aUserWithoutAttachedScopesGetsNothing() {
    assertThat(Scopes.grants(User.fromName("nobody"), Scope.EMAILS_SEND)).isFalse();
  }

  @Test
  void attachReplacesEarlierScopes() {
    User user = keyWith("*");
    Scopes.attach(user, List.of("inbox:read"));
    assertThat(Scopes.grants(user, Scope.EMAILS_SEND)).isFalse();
    assertThat(Scopes.grants(user, Scope.INBOX_READ)).isTrue();
  }

  @Test
  void refusesAWildcardOrUnknownAsARequirement() {
    User user = keyWith("*");
    assertThatThrownBy(() -> Scopes.grants(user, "*"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Scopes.grants(user, "emails:*"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void toAuthorizationsRefusesMalformedStoredScopes() {
    // A bare resource would otherwise imply every action of it in the wildcard model.
    assertThatThrownBy(() -> Scopes.toAuthorizations(List.of("emails")))
        .isInstanceOf(Scopes.InvalidScopeException.class);
    assertThat(Scopes.toAuthorizations(List.of("emails:send", "inbox:*"))).hasSize(2);
  }
}
