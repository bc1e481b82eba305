package dev.postern.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import dev.postern.blob.BlobStore;
import dev.postern.queue.WorkQueue;
import dev.postern.ratelimit.RateLimiter;
import org.junit.jupiter.api.Test;

/**
 * Issue #10 item 7: the boundary guards itself. The protocol-neutral core never imports an edge
 * (vertx-web, the HTTP or admin edges), so SMTP, the MX and the inbox can reuse it as it is; and
 * the adapters behind the ports are built only by the composition root.
 */
class ArchitectureTest {

  /** Packages of the core: no wire format, no web framework. */
  static final String[] CORE = {
      "dev.postern.keys..", "dev.postern.auth..", "dev.postern.send..", "dev.postern.refusal..",
      "dev.postern.queue..", "dev.postern.delivery..", "dev.postern.webhooks..",
      "dev.postern.audit..", "dev.postern.domains..", "dev.postern.mailboxes..",
      "dev.postern.blob..", "dev.postern.ratelimit..", "dev.postern.db..", "dev.postern.cache..",
      "dev.postern.mail..", "dev.postern.logging..", "dev.postern.config.."};

  /** Where adapters may be built: the composition root and its wiring modules. */
  static final String[] WIRING = {"dev.postern", "dev.postern.wiring.."};

  static final JavaClasses PRODUCT = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.postern");

  static final ArchRule CORE_IMPORTS_NO_EDGE = noClasses().that().resideInAnyPackage(CORE)
      .should().dependOnClassesThat().resideInAnyPackage(
          "io.vertx.ext.web..", "dev.postern.http..", "dev.postern.admin..")
      .because("the core is protocol-neutral: each edge translates its wire format in one place");

  static final ArchRule ADAPTERS_BUILT_BY_THE_WIRING = noClasses()
      .that().resideOutsideOfPackages(WIRING)
      .should().callCodeUnitWhere(adapterCreationFromOutside())
      .because("adapters are chosen and constructed in the composition root only (STYLE.md)");

  @Test
  void theCoreImportsNoEdge() {
    CORE_IMPORTS_NO_EDGE.check(PRODUCT);
  }

  @Test
  void adaptersAreConstructedOnlyByTheWiring() {
    ADAPTERS_BUILT_BY_THE_WIRING.check(PRODUCT);
  }

  /**
   * A constructor or static method of a class implementing a port (blob store, rate limiter,
   * work queue), called from another class (a static factory calling its own constructor is fine).
   */
  static DescribedPredicate<JavaAccess<?>> adapterCreationFromOutside() {
    return DescribedPredicate.describe("a port adapter's constructor or static factory",
        access -> {
          JavaClass owner = access.getTargetOwner();
          boolean adapter = !owner.isInterface() && (owner.isAssignableTo(BlobStore.class)
              || owner.isAssignableTo(RateLimiter.class) || owner.isAssignableTo(WorkQueue.class));
          boolean creates = access.getTarget().getName().equals("<init>")
              || access.getTarget().getName().equals("create")
              || access.getTarget().getName().equals("open");
          boolean fromOutside = !access.getOriginOwner().equals(owner)
              && !access.getOriginOwner().isAssignableTo(owner.getName());
          return adapter && creates && fromOutside;
        });
  }
}
