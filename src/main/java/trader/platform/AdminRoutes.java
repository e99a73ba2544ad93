package trader.platform;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.APIKeyHandler;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import trader.eventsourcing.projection.ProjectionControl;

import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The operators' API under {@code /api/admin} ({@code X-Admin-Token}): projection status, rebuild with progress,
 * resume. When no admin token exists every request is refused (401).
 */
final class AdminRoutes implements ApiRoutes {

  /** The header that carries the admin token ({@code openapi.yaml}'s adminToken scheme). */
  static final String HEADER = "X-Admin-Token";

  private final Optional<AdminToken> token;
  private final Supplier<Engine> engine;

  AdminRoutes(Optional<AdminToken> token, Supplier<Engine> engine) {
    this.token = token;
    this.engine = engine;
  }

  @Override
  public void mount(RouterBuilder builder) {
    // without a token the scheme still needs a handler; this one refuses everything
    builder.security("adminToken").apiKeyHandler(APIKeyHandler.create(token.<io.vertx.ext.auth.authentication
      .AuthenticationProvider>map(t -> t).orElse(c -> Future.failedFuture("admin API is off"))));
    route(builder, "getProjections", rc -> ProjectionControl.status(engine.get().pool()).map(rows -> {
      JsonArray list = new JsonArray();
      rows.forEach(s -> list.add(new JsonObject().put("projection", s.projection()).put("version", s.version())
        .put("shard", s.shard()).put("offset", s.offset().toString()).put("eventsApplied", s.eventsApplied())
        .put("lagEvents", s.lagEvents()).put("lagMillis", s.lagMillis()).put("stoppedReason", s.stoppedReason())
        .put("buildingVersion", s.buildingVersion())));
      return rc.json(new JsonObject().put("shards", list));
    }));
    route(builder, "rebuildProjection", rc -> ProjectionControl.requestRebuild(engine.get().pool(),
      rc.pathParam("name")).map(id -> {
        String location = "/api/admin/projection-rebuilds/" + id;
        rc.response().setStatusCode(202).putHeader("Location", location);
        return rc.json(new JsonObject().put("requestId", id).put("status", location));
      }));
    route(builder, "getProjectionRebuild", rc -> ProjectionControl.rebuildStatus(engine.get().pool(),
      Long.parseLong(rc.pathParam("id"))).map(s -> rc.json(new JsonObject().put("requestId", s.id())
        .put("started", s.started()).put("finished", s.finished()).put("done", s.done()).put("total", s.total())
        .put("newVersion", s.newVersion()).put("error", s.error()))));
    route(builder, "resumeProjection", rc -> ProjectionControl.resume(engine.get().pool(), rc.pathParam("name"))
      .map(n -> rc.json(new JsonObject().put("resumedShards", n))));
  }

  private void route(RouterBuilder builder, String operation, Function<RoutingContext, Future<?>> handler) {
    builder.getRoute(operation).addHandler(rc -> {
      if (engine.get() == null) {
        Problems.send(rc, 503, "Service Unavailable", "The node is still starting");
      } else {
        handler.apply(rc).onFailure(rc::fail);
      }
    });
  }
}
