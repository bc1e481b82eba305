package dev.postern.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.delivery.dkim.DkimKey;
import dev.postern.support.DnsResponder;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DomainsAdminIT {

  static DnsResponder dns;
  static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    dns = DnsResponder.start();
    gateway = TestGateway.start(Map.of("POSTERN_DNS_SERVER", dns.address()));
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
    dns.close();
  }

  static JsonObject json(HttpResponse<String> response) {
    return new JsonObject(response.body());
  }

  static JsonObject create(String name) {
    HttpResponse<String> r = gateway.admin("POST", "/admin/v1/domains", new JsonObject().put("name", name));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return json(r);
  }

  @Test
  void createPublishesVerificationAndDkimRecordsAndKeepsThePrivateKeySealed() throws Exception {
    JsonObject domain = create("Mail.Example.ORG");
    assertThat(domain.getString("name")).isEqualTo("mail.example.org");
    assertThat(domain.getBoolean("verified")).isFalse();
    assertThat(domain.getString("created_at")).isNotBlank();
    String selector = domain.getJsonObject("dkim").getString("selector");
    assertThat(selector).matches("postern\\d{6}");
    assertThat(domain.getJsonObject("dkim").getString("algorithm")).isEqualTo("rsa-sha256");
    JsonArray records = domain.getJsonArray("dns");
    assertThat(records).hasSize(2);
    JsonObject verification = records.getJsonObject(0);
    assertThat(verification.getString("type")).isEqualTo("TXT");
    assertThat(verification.getString("name")).isEqualTo("_postern-verification.mail.example.org");
    assertThat(verification.getString("value")).matches("postern-verification=[0-9a-f]{32}");
    JsonObject dkim = records.getJsonObject(1);
    assertThat(dkim.getString("name")).isEqualTo(selector + "._domainkey.mail.example.org");
    assertThat(dkim.getString("value")).startsWith("v=DKIM1; k=rsa; p=");

    // The stored private key is ciphertext, and the vault opens it into the published key's pair.
    var row = gateway.core().domains().repository().byName("mail.example.org").await().orElseThrow();
    Optional<DkimKey> key = gateway.core().dkimKeys().forDomain("mail.example.org").await();
    assertThat(key).isPresent();
    assertThat(key.get().selector()).isEqualTo(selector);
    assertThat(key.get().toString()).doesNotContain(Base64.getEncoder().encodeToString(key.get().privateKey().getEncoded()));
    assertThat(((RSAPrivateCrtKey) key.get().privateKey()).getModulus().bitLength()).isEqualTo(2048);
    var publicKey = java.security.KeyFactory.getInstance("RSA").generatePublic(
        new java.security.spec.X509EncodedKeySpec(Base64.getDecoder().decode(row.dkimPublicKey())));
    Signature sign = Signature.getInstance("SHA256withRSA");
    sign.initSign(key.get().privateKey());
    sign.update("dkim".getBytes());
    byte[] signature = sign.sign();
    Signature check = Signature.getInstance("SHA256withRSA");
    check.initVerify(publicKey);
    check.update("dkim".getBytes());
    assertThat(check.verify(signature)).isTrue();
    assertThat(gateway.core().dkimKeys().forDomain("unknown.example").await()).isEmpty();
  }

  @Test
  void internationalisedNamesAreStoredInPunycode() {
    assertThat(create("bücher.example").getString("name")).isEqualTo("xn--bcher-kva.example");
  }

  @Test
  void duplicateNameIsAConflictWhateverItsCase() {
    create("dup.example");
    HttpResponse<String> again = gateway.admin("POST", "/admin/v1/domains", new JsonObject().put("name", "DUP.example."));
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(json(again).getString("name")).isEqualTo("conflict");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "localhost", "bad_name.com", "a..b.com", "exa mple.com", "x.com\r\nX: y",
      "-lead.com", "10.0.0.1"})
  void invalidNamesAreValidationErrorsNamingTheField(String name) {
    HttpResponse<String> r = gateway.admin("POST", "/admin/v1/domains", new JsonObject().put("name", name));
    assertThat(r.statusCode()).isEqualTo(400);
    JsonObject body = json(r);
    assertThat(body.getString("name")).isEqualTo("validation_error");
    assertThat(body.getJsonArray("issues").getJsonObject(0).getString("path")).isEqualTo("name");
  }

  @Test
  void nonStringNameMissingNameAndMalformedJsonAre400() {
    assertThat(gateway.admin("POST", "/admin/v1/domains", new JsonObject().put("name", 5)).statusCode()).isEqualTo(400);
    assertThat(gateway.admin("POST", "/admin/v1/domains", new JsonObject()).statusCode()).isEqualTo(400);
    HttpResponse<String> malformed = gateway.send("POST", "/admin/v1/domains", "{\"name\":",
        Map.of("Authorization", "Bearer " + gateway.adminToken()));
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(json(malformed).getString("name")).isEqualTo("validation_error");
  }

  @Test
  void listAndGetShowTheSameDomain() {
    JsonObject created = create("listed.example");
    JsonObject list = json(gateway.admin("GET", "/admin/v1/domains", null));
    assertThat(list.getJsonArray("data").stream().map(o -> ((JsonObject) o).getString("id")))
        .contains(created.getString("id"));
    HttpResponse<String> one = gateway.admin("GET", "/admin/v1/domains/" + created.getString("id"), null);
    assertThat(one.statusCode()).isEqualTo(200);
    assertThat(json(one)).isEqualTo(created);
  }

  @Test
  void unknownAndMalformedIdsAreNotFound() {
    for (String id : new String[] {"00000000-0000-0000-0000-000000000000", "nope", "%2e%2e", "1-2-3-4-5"}) {
      HttpResponse<String> get = gateway.admin("GET", "/admin/v1/domains/" + id, null);
      assertThat(get.statusCode()).as(id).isEqualTo(404);
      assertThat(json(get).getString("name")).isEqualTo("not_found");
      assertThat(gateway.admin("POST", "/admin/v1/domains/" + id + "/verify", null).statusCode()).isEqualTo(404);
    }
  }

  @Test
  void verifyChecksTheTxtRecordAgainstTheConfiguredDnsServer() {
    JsonObject domain = create("verify.example");
    String id = domain.getString("id");
    JsonObject record = domain.getJsonArray("dns").getJsonObject(0);

    // No record at all (NXDOMAIN): not verified, with a reason.
    JsonObject first = json(gateway.admin("POST", "/admin/v1/domains/" + id + "/verify", null));
    assertThat(first.getBoolean("verified")).isFalse();
    assertThat(first.getString("reason")).contains("_postern-verification.verify.example");

    // A record with the wrong token: still not verified.
    dns.putTxt(record.getString("name"), "postern-verification=wrong", "v=spf1 -all");
    JsonObject wrong = json(gateway.admin("POST", "/admin/v1/domains/" + id + "/verify", null));
    assertThat(wrong.getBoolean("verified")).isFalse();
    assertThat(json(gateway.admin("GET", "/admin/v1/domains/" + id, null)).getBoolean("verified")).isFalse();

    // The right token among other TXT records: verified, and it stays so.
    dns.putTxt(record.getString("name"), "v=spf1 -all", record.getString("value"));
    HttpResponse<String> ok = gateway.admin("POST", "/admin/v1/domains/" + id + "/verify", null);
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(json(ok).getBoolean("verified")).isTrue();
    assertThat(json(ok).getString("verified_at")).isNotBlank();
    assertThat(json(ok).containsKey("reason")).isFalse();
    JsonObject after = json(gateway.admin("GET", "/admin/v1/domains/" + id, null));
    assertThat(after.getBoolean("verified")).isTrue();
    assertThat(after.getString("verified_at")).isEqualTo(json(ok).getString("verified_at"));
  }
}
