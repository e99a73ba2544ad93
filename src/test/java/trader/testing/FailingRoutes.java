package trader.testing;

import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import trader.platform.BoundedContext;
import trader.platform.Engine;
import trader.platform.WebRoutes;

import java.util.List;

/**
 * A context whose one route, {@code GET /test/failure}, fails the way a bug of ours would (an exception in a
 * handler), so that a test can see what a node answers and logs for a real server error.
 */
public final class FailingRoutes implements BoundedContext {

  public static final String PATH = "/test/failure";

  @Override
  public String name() {
    return "failing-routes";
  }

  @Override
  public List<WebRoutes> webRoutes() {
    return List.of((vertx, router, settings) -> mount(router));
  }

  private static void mount(Router router) {
    router.get(PATH).handler(rc -> {
      throw new IllegalStateException("a bug in a handler");
    });
  }

  @Override
  public Future<Void> start(Engine engine) {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> stop() {
    return Future.succeededFuture();
  }
}
