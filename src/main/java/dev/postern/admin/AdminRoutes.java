package dev.postern.admin;

import dev.postern.audit.AuditReader;
import dev.postern.domains.DomainService;
import dev.postern.http.RouteGroup;
import dev.postern.mailboxes.MailboxService;
import dev.postern.webhooks.WebhookService;
import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The admin API's domains, mailboxes, webhooks and audit reads (SPEC §4). Every route starts with
 * the admin-token guard; bodies are read only after it. API-key routes live with the keys feature.
 */
public final class AdminRoutes implements RouteGroup {

  private final AdminAuth admin;
  private final DomainHandlers domains;
  private final MailboxHandlers mailboxes;
  private final WebhookHandlers webhooks;
  private final ActivityHandlers activity;

  public AdminRoutes(AdminAuth admin, AdminTrail trail, AuditReader reader, DomainService domains,
      MailboxService mailboxes, WebhookService webhooks) {
    this.admin = admin;
    this.domains = new DomainHandlers(domains, trail);
    this.mailboxes = new MailboxHandlers(mailboxes, trail);
    this.webhooks = new WebhookHandlers(webhooks, trail);
    this.activity = new ActivityHandlers(reader);
  }

  @Override
  public void mount(Router router, Handler<RoutingContext> bodyReader) {
    // The body reader runs after the guard as RouteGroup intends (vertx-web would refuse its own
    // BodyHandler there; ours is a plain handler). The guard is synchronous: no byte is missed.
    Handler<RoutingContext> body = bodyReader::handle;
    router.post("/admin/v1/domains").handler(admin).handler(body).handler(domains::create);
    router.get("/admin/v1/domains").handler(admin).handler(domains::list);
    router.get("/admin/v1/domains/:id").handler(admin).handler(domains::get);
    router.patch("/admin/v1/domains/:id").handler(admin).handler(body).handler(domains::change);
    router.post("/admin/v1/domains/:id/verify").handler(admin).handler(body).handler(domains::verify);

    router.post("/admin/v1/mailboxes").handler(admin).handler(body).handler(mailboxes::create);
    router.get("/admin/v1/mailboxes").handler(admin).handler(mailboxes::list);
    router.get("/admin/v1/mailboxes/:id").handler(admin).handler(mailboxes::get);
    router.patch("/admin/v1/mailboxes/:id").handler(admin).handler(body).handler(mailboxes::change);
    router.delete("/admin/v1/mailboxes/:id").handler(admin).handler(mailboxes::delete);

    router.post("/admin/v1/webhooks").handler(admin).handler(body).handler(webhooks::create);
    router.get("/admin/v1/webhooks").handler(admin).handler(webhooks::list);
    router.get("/admin/v1/webhooks/:id").handler(admin).handler(webhooks::get);
    router.delete("/admin/v1/webhooks/:id").handler(admin).handler(webhooks::delete);

    router.get("/admin/v1/activity").handler(admin).handler(activity::activity);
    router.get("/admin/v1/keys/:id/audit").handler(admin).handler(activity::keyAudit);
  }
}
