package trader.platform;

import io.vertx.core.Future;

import java.util.List;

/**
 * A bounded context as the node runs it: REST routes and other HTTP routes it contributes (mounted before the node
 * is ready, so their handlers must answer 503 until {@link #start} completed — they get the engine lazily), and
 * its verticles, entities, read sides, publishers and subscribers, started on the engine once it exists.
 */
public interface BoundedContext {

  /** Short name for logs, e.g. {@code portfolio}. */
  String name();

  /** Handlers for operations of {@code openapi.yaml}; none by default. */
  default List<ApiRoutes> routes() {
    return List.of();
  }

  /** Routes outside {@code openapi.yaml}, such as the SockJS bridge; none by default. */
  default List<WebRoutes> webRoutes() {
    return List.of();
  }

  /** Starts everything the context runs on this node. */
  Future<Void> start(Engine engine);

  /** Stops it again; entities and read sides move to other nodes. */
  Future<Void> stop();
}
