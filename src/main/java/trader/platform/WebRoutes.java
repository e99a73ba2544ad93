package trader.platform;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

/**
 * A context's routes outside the OpenAPI document (e.g. the SockJS event-bus bridge). They are mounted on each HTTP
 * verticle's router after the {@code /api} operations and before the static UI, with that verticle's {@code vertx}
 * and the node's settings. Like {@link ApiRoutes}, they exist before the node is ready.
 */
@FunctionalInterface
public interface WebRoutes {
  void mount(Vertx vertx, Router router, Settings settings);
}
