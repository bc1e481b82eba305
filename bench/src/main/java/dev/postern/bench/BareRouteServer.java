package dev.postern.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Starts the bare reference route ({@link BareRouteVerticle}) with N instances sharing one port,
 * the way Vert.x scales a server over event loops. Runs until killed (SIGTERM closes Vert.x).
 */
@Command(name = "BareRouteServer", mixinStandardHelpOptions = true,
    description = "Bare Vert.x 5 reference: GET /ping, POST /echo (JSON parsed).")
public final class BareRouteServer implements Callable<Integer> {

  @Option(names = "--host", defaultValue = "127.0.0.1")
  String host;

  @Option(names = "--port", defaultValue = "8089")
  int port;

  @Option(names = "--instances", defaultValue = "2", description = "verticle instances")
  int instances;

  public static void main(String[] args) {
    int code = new CommandLine(new BareRouteServer()).execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  @Override
  public Integer call() {
    if (!LoopbackTarget.isLoopback(host)) {
      System.err.println("the reference server binds loopback only, not " + host);
      return 2;
    }
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(instances));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close().await()));
    try {
      vertx.deployVerticle(() -> new BareRouteVerticle(host, port),
          new DeploymentOptions().setInstances(instances)).await();
    } catch (Exception failed) {
      System.err.println("bare route failed to start: " + failed.getMessage());
      vertx.close();
      return 1;
    }
    // run.sh waits for this line before loading the port.
    System.out.println("bare route listening on http://" + host + ":" + port
        + " with " + instances + " instances");
    return 0;
  }
}
