package trader.platform;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.APIKeyHandler;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import trader.eventsourcing.projection.ProjectionControl;
import trader.eventsourcing.topic.DeadLetters;

import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The operators' API under {@code /api/admin} ({@code X-Admin-Token}): projection status, rebuild with progress,
 * resume; dead letters listed, re-driven and discarded. When no admin token exists every request is refused (401).
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
    mountDeadLetters(builder);
  }

  private void mountDeadLetters(RouterBuilder builder) {
    route(builder, "listDeadLetters", rc -> engine.get().deadLetters().list(rc.queryParams().get("subscriber"),
        rc.queryParams().get("topic"), rc.queryParams().get("key"), "true".equals(rc.queryParams().get("all")),
        rc.queryParams().contains("limit") ? Integer.parseInt(rc.queryParams().get("limit")) : 100)
      .map(letters -> {
        JsonArray list = new JsonArray();
        letters.forEach(letter -> list.add(json(letter)));
        return rc.json(new JsonObject().put("deadLetters", list));
      }));
    route(builder, "actOnDeadLetter", rc -> engine.get().deadLetters().request(Long.parseLong(rc.pathParam("id")),
        DeadLetters.Action.valueOf(rc.pathParam("action").toUpperCase(java.util.Locale.ROOT)))
      .<Void>compose(n -> {
        if (n == 0) {
          Problems.send(rc, 404, Problems.title(404), "No dead letter " + rc.pathParam("id"));
          return Future.succeededFuture();
        }
        rc.response().setStatusCode(202);
        return rc.json(new JsonObject().put("requested", n));
      })
      .recover(e -> e instanceof DeadLetters.NotAllowed ? Future.succeededFuture(sendConflict(rc, e))
        : Future.failedFuture(e)));
    route(builder, "actOnDeadLetterKey", rc -> {
      JsonObject body = rc.body().asJsonObject();
      return engine.get().deadLetters().requestKey(body.getString("subscriber"), body.getString("key"),
          DeadLetters.Action.valueOf(rc.pathParam("action").toUpperCase(java.util.Locale.ROOT)))
        .map(n -> {
          rc.response().setStatusCode(202);
          return rc.json(new JsonObject().put("requested", n));
        });
    });
  }

  private static Void sendConflict(RoutingContext rc, Throwable e) {
    Problems.send(rc, 409, Problems.title(409), e.getMessage());
    return null;
  }

  /** A dead letter as the API shows it: its payload as JSON when it is JSON, else as text. */
  static JsonObject json(DeadLetters.Letter letter) {
    Object payload;
    try {
      payload = new JsonObject(letter.text());
    } catch (RuntimeException notJson) {
      payload = letter.text();
    }
    return new JsonObject().put("id", letter.id()).put("subscriber", letter.subscriber()).put("topic", letter.topic())
      .put("partition", letter.partition()).put("offset", letter.offset()).put("key", letter.key())
      .put("status", letter.status()).put("reason", letter.reason()).put("attempts", letter.attempts())
      .put("firstFailureAt", letter.firstFailure().toString()).put("lastFailureAt", letter.lastFailure().toString())
      .put("requested", letter.requested()).put("payload", payload);
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
