package trader.platform;

import io.vertx.ext.web.openapi.router.RouterBuilder;

/**
 * A context's contribution to the REST API: it attaches handlers to the operations of {@code openapi.yaml}
 * that it serves. The contract validates every request before a handler sees it.
 */
@FunctionalInterface
public interface ApiRoutes {
  void mount(RouterBuilder builder);
}
