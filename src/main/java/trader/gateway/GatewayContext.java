package trader.gateway;

import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import trader.accounts.contract.AccountsAddresses;
import trader.platform.ApiRoutes;
import trader.platform.BoundedContext;
import trader.gateway.IdempotencyKeys.Answer;
import trader.platform.BusFailures;
import trader.platform.BusFailures.Refusal;
import trader.platform.Engine;
import trader.platform.Problems;
import trader.platform.WebRoutes;
import trader.portfolio.contract.PortfolioAddresses;
import trader.quotes.contract.QuotesAddresses;
import trader.wiretransfer.contract.TransferAddresses;

import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The gateway (backend for the browser and API clients): the REST API of {@code openapi.yaml} and the SockJS
 * event-bus bridge ({@link EventBusBridge}). It authenticates users (their JWT), then turns each request into an
 * event-bus request to the context that owns the answer; it reads no context's tables.
 */
public final class GatewayContext implements BoundedContext {

  private static final DeliveryOptions REQUEST = new DeliveryOptions().setSendTimeout(15_000);
  static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  private static final long PURGE_PERIOD_MS = 10 * 60_000;
  private volatile Engine engine;
  private volatile IdempotencyKeys keys;
  private long purgeTimer = -1;
  private final EventBusBridge bridge = new EventBusBridge(() -> engine);

  @Override
  public String name() {
    return "gateway";
  }

  @Override
  public List<ApiRoutes> routes() {
    return List.of(this::mount);
  }

  @Override
  public List<WebRoutes> webRoutes() {
    return List.of(bridge::mount);
  }

  @Override
  public Future<Void> start(Engine engine) {
    keys = new IdempotencyKeys(engine.pool(), engine.settings().integer("idempotency.retention-hours", 1, 24 * 365));
    purgeTimer = engine.vertx().setPeriodic(PURGE_PERIOD_MS, t -> keys.purge());
    this.engine = engine;
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> stop() {
    if (engine != null) {
      engine.vertx().cancelTimer(purgeTimer);
    }
    return Future.succeededFuture();
  }

  private void mount(RouterBuilder api) {
    route(api, "signup", (rc, user) -> call(rc, AccountsAddresses.SIGNUP, rc.body().asJsonObject())
      .map(r -> {
        rc.response().setStatusCode(201).putHeader("Location", "/api/me");
        return withToken(r);
      }));
    route(api, "login", (rc, user) -> call(rc, AccountsAddresses.LOGIN, rc.body().asJsonObject()).map(this::withToken));
    route(api, "getMe", (rc, user) -> call(rc, AccountsAddresses.SAVINGS, withPosition(rc, new JsonObject()
      .put("userId", user))).map(r -> new JsonObject().put("userId", user)
      .put("username", rc.user().principal().getString("username"))
      .put("savings", new JsonObject().put("balance", r.getString("balance")))));

    route(api, "openPortfolio", (rc, user) -> keyed(rc, user, "openPortfolio", "portfolios", commandId ->
      call(rc, PortfolioAddresses.OPEN, withId(new JsonObject().put("userId", user)
        .put("name", rc.body().asJsonObject().getString("name")), commandId))
        .map(r -> new Answer(201, "/api/portfolios/" + r.getString("portfolioId"), r))));
    route(api, "listPortfolios", (rc, user) -> call(rc, PortfolioAddresses.LIST,
      withPosition(rc, new JsonObject().put("userId", user))));
    route(api, "getPortfolio", (rc, user) -> call(rc, PortfolioAddresses.GET, withPosition(rc, new JsonObject()
      .put("userId", user).put("portfolioId", rc.pathParam("portfolioId")))));
    route(api, "closePortfolio", (rc, user) -> call(rc, PortfolioAddresses.CLOSE, new JsonObject()
      .put("userId", user).put("portfolioId", rc.pathParam("portfolioId"))).map(r -> {
        rc.response().setStatusCode(202);
        return r;
      }));

    route(api, "listQuotes", (rc, user) -> call(rc, QuotesAddresses.LATEST, new JsonObject()));
    route(api, "getQuote", (rc, user) -> call(rc, QuotesAddresses.LATEST, new JsonObject()
      .put("symbol", rc.pathParam("symbol"))));
    route(api, "getCandles", (rc, user) -> call(rc, QuotesAddresses.CANDLES, new JsonObject()
      .put("symbol", rc.pathParam("symbol")).put("from", rc.queryParams().get("from"))
      .put("to", rc.queryParams().get("to"))));
    route(api, "placeOrder", (rc, user) -> keyed(rc, user, "placeOrder",
      "portfolios/" + rc.pathParam("portfolioId") + "/orders", commandId -> call(rc, PortfolioAddresses.PLACE_ORDER,
        withId(new JsonObject().put("userId", user).put("portfolioId", rc.pathParam("portfolioId"))
          .put("order", rc.body().asJsonObject()), commandId))
        .map(r -> new Answer(202, "/api/orders/" + r.getString("orderId"), r))));
    route(api, "listOrders", (rc, user) -> call(rc, PortfolioAddresses.LIST_ORDERS, withPosition(rc, new JsonObject()
      .put("userId", user).put("portfolioId", rc.pathParam("portfolioId")).put("status", rc.queryParams().get("status")))));
    route(api, "getOrder", (rc, user) -> call(rc, PortfolioAddresses.GET_ORDER, withPosition(rc, new JsonObject()
      .put("userId", user).put("orderId", rc.pathParam("orderId")))));
    route(api, "cancelOrder", (rc, user) -> call(rc, PortfolioAddresses.CANCEL_ORDER, new JsonObject()
      .put("userId", user).put("orderId", rc.pathParam("orderId"))).map(r -> {
        rc.response().setStatusCode(202);
        return r;
      }));

    route(api, "requestTransfer", this::requestTransfer);
    route(api, "listTransfers", (rc, user) -> call(rc, TransferAddresses.LIST, withPosition(rc, new JsonObject()
      .put("userId", user).put("portfolioId", rc.queryParams().get("portfolioId")))));
    route(api, "getTransfer", (rc, user) -> call(rc, TransferAddresses.GET, withPosition(rc, new JsonObject()
      .put("userId", user).put("transferId", rc.pathParam("transferId")))));
  }

  /** Savings endpoints are the user's own; portfolio endpoints must be the user's (else: 404, not confirmed). */
  private Future<JsonObject> requestTransfer(RoutingContext rc, String user) {
    JsonObject body = rc.body().asJsonObject();
    JsonObject from = own(body.getJsonObject("from"), user);
    JsonObject to = own(body.getJsonObject("to"), user);
    return keyed(rc, user, "requestTransfer", "transfers", commandId -> owned(rc, user, from)
      .compose(v -> owned(rc, user, to))
      .compose(v -> call(rc, TransferAddresses.REQUEST, withId(new JsonObject().put("userId", user)
        .put("from", from).put("to", to).put("amount", body.getString("amount")), commandId)))
      .map(r -> new Answer(202, "/api/transfers/" + r.getString("transferId"), r)));
  }

  private static JsonObject own(JsonObject endpoint, String user) {
    return "savings".equals(endpoint.getString("kind")) && endpoint.getString("id") == null
      ? endpoint.copy().put("id", user) : endpoint;
  }

  private Future<Void> owned(RoutingContext rc, String user, JsonObject endpoint) {
    String id = endpoint.getString("id");
    if ("savings".equals(endpoint.getString("kind"))) {
      return user.equals(id) ? Future.succeededFuture()
        : Future.failedFuture(new Refusal(404, "No savings account " + id));
    }
    return call(rc, PortfolioAddresses.OWNS, new JsonObject().put("userId", user).put("portfolioId", id))
      .compose(r -> r.getBoolean("owned") ? Future.succeededFuture()
        : Future.failedFuture(new Refusal(404, "No portfolio " + id)));
  }

  private JsonObject withToken(JsonObject user) {
    UserTokens tokens = engine.userTokens();
    return user.copy().put("token", tokens.issue(user.getString("userId"), user.getString("username")))
      .put("tokenType", "Bearer").put("expiresIn", tokens.ttlSeconds());
  }

  /**
   * Runs a command that may carry an {@code Idempotency-Key} ({@link IdempotencyKeys}): without one, under an id the
   * context draws; with one, under the key's command id, or answered with the key's first answer. A definite answer
   * (success or refusal) is recorded for the key's retries; an unknown outcome is not, so a retry sends the command
   * again, which its id keeps from taking effect twice. {@code target} names what the command acts on (the
   * operation's path parameters), so a key reused on another portfolio is refused, whatever the URL's spelling.
   */
  private Future<JsonObject> keyed(RoutingContext rc, String user, String operation, String target,
                                   Function<String, Future<Answer>> command) {
    String key = rc.request().getHeader(IDEMPOTENCY_KEY);
    if (key == null) {
      return command.apply(null).map(answer -> answer(rc, answer, false));
    }
    return keys.claim(user, key, operation, target, rc.body().asJsonObject())
      .recover(e -> Future.failedFuture(e instanceof Refusal ? e : new Refusal(503, "The request's Idempotency-Key "
        + "could not be checked: nothing was done; try again")))
      .compose(claim -> claim.answer() != null ? replay(rc, claim.answer())
        : command.apply(claim.commandId()).transform(ar -> {
          Answer definite = ar.succeeded() ? ar.result() : refusal(ar.cause());
          Future<Void> recorded = definite == null ? Future.succeededFuture()
            // a record that fails only means a retry sends the command again, which its id makes harmless
            : keys.answered(user, key, definite).recover(e -> Future.succeededFuture());
          return recorded.compose(v -> ar.succeeded() ? Future.succeededFuture(answer(rc, ar.result(), false))
            : Future.failedFuture(ar.cause()));
        }));
  }

  /**
   * The answer a refusal is: a 4xx from the gateway or the context; null for an outcome not known (5xx, timeout) and
   * for a 429 (a limit that may pass later: a retry with the key is tried again, as after a 503).
   */
  private static Answer refusal(Throwable failure) {
    int status = failure instanceof Refusal r ? r.status()
      : failure instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE
        ? re.failureCode() : 0;
    return status >= 400 && status < 500 && status != 429 ? new Answer(status, null, new JsonObject().put("detail",
      failure.getMessage())) : null;
  }

  private static JsonObject answer(RoutingContext rc, Answer answer, boolean replayed) {
    rc.response().setStatusCode(answer.status());
    if (answer.location() != null) {
      rc.response().putHeader("Location", answer.location());
    }
    if (replayed) {
      rc.response().putHeader("Idempotent-Replayed", "true");
    }
    return answer.body();
  }

  /** The first answer again: the same status, Location and body, or the same refusal. */
  private static Future<JsonObject> replay(RoutingContext rc, Answer answer) {
    if (answer.status() >= 400) {
      rc.response().putHeader("Idempotent-Replayed", "true");
      return Future.failedFuture(new Refusal(answer.status(), answer.body().getString("detail")));
    }
    return Future.succeededFuture(answer(rc, answer, true));
  }

  private static JsonObject withId(JsonObject request, String commandId) {
    return commandId == null ? request : request.put("commandId", commandId);
  }

  private static JsonObject withPosition(RoutingContext rc, JsonObject request) {
    String position = rc.queryParams().get("position");
    return position == null ? request : request.put("position", position);
  }

  private Future<JsonObject> call(RoutingContext rc, String address, JsonObject body) {
    return rc.vertx().eventBus().<JsonObject>request(address, body, REQUEST).map(m -> m.body());
  }

  /** Attaches {@code handler} to an operation: 503 until the node is ready, the user from the token, errors mapped. */
  private void route(RouterBuilder api, String operation, BiFunction<RoutingContext, String, Future<JsonObject>> handler) {
    api.getRoute(operation).addHandler(rc -> {
      if (engine == null) {
        Problems.send(rc, 503, Problems.title(503), "The node is still starting");
        return;
      }
      String user = rc.user() == null ? null : UserTokens.userId(rc.user());
      Future<JsonObject> result;
      try {
        result = handler.apply(rc, user);
      } catch (Refusal e) {
        result = Future.failedFuture(e);
      }
      result.onSuccess(json -> {
        if (!rc.response().ended()) {
          rc.json(json);
        }
      }).onFailure(e -> {
        if (e instanceof Refusal r) {
          if (r.status() == 503) {
            rc.response().putHeader("Retry-After", BusFailures.RETRY_AFTER_SECONDS);
          }
          Problems.send(rc, r.status(), Problems.title(r.status()), r.getMessage());
        } else {
          BusFailures.respond(rc, e);
        }
      });
    });
  }
}
