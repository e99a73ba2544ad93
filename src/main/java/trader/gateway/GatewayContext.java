package trader.gateway;

import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import trader.accounts.contract.AccountsAddresses;
import trader.platform.ApiRoutes;
import trader.platform.BoundedContext;
import trader.platform.BusFailures;
import trader.platform.Engine;
import trader.platform.Problems;
import trader.platform.WebRoutes;
import trader.portfolio.contract.PortfolioAddresses;
import trader.quotes.contract.QuotesAddresses;
import trader.wiretransfer.contract.TransferAddresses;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.function.BiFunction;

/**
 * The gateway (backend for the browser and API clients): the REST API of {@code openapi.yaml} and the SockJS
 * event-bus bridge ({@link EventBusBridge}). It authenticates users (their JWT), then turns each request into an
 * event-bus request to the context that owns the answer; it reads no context's tables.
 */
public final class GatewayContext implements BoundedContext {

  private static final DeliveryOptions REQUEST = new DeliveryOptions().setSendTimeout(15_000);
  private volatile Engine engine;
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
    this.engine = engine;
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> stop() {
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

    route(api, "openPortfolio", (rc, user) -> call(rc, PortfolioAddresses.OPEN, new JsonObject().put("userId", user)
      .put("name", rc.body().asJsonObject().getString("name"))).map(r -> {
        rc.response().setStatusCode(201).putHeader("Location", "/api/portfolios/" + r.getString("portfolioId"));
        return r;
      }));
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
    route(api, "placeOrder", (rc, user) -> call(rc, PortfolioAddresses.PLACE_ORDER, withCommandId(rc, "order", user,
      new JsonObject().put("userId", user).put("portfolioId", rc.pathParam("portfolioId"))
        .put("order", rc.body().asJsonObject()))).map(r -> {
        rc.response().setStatusCode(202).putHeader("Location", "/api/orders/" + r.getString("orderId"));
        return r;
      }));
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
    return owned(rc, user, from).compose(v -> owned(rc, user, to))
      .compose(v -> call(rc, TransferAddresses.REQUEST, withCommandId(rc, "transfer", user, new JsonObject().put("userId", user)
        .put("from", from).put("to", to).put("amount", body.getString("amount")))))
      .map(r -> {
        rc.response().setStatusCode(202).putHeader("Location", "/api/transfers/" + r.getString("transferId"));
        return r;
      });
  }

  private static JsonObject own(JsonObject endpoint, String user) {
    return "savings".equals(endpoint.getString("kind")) && endpoint.getString("id") == null
      ? endpoint.copy().put("id", user) : endpoint;
  }

  private Future<Void> owned(RoutingContext rc, String user, JsonObject endpoint) {
    String id = endpoint.getString("id");
    if ("savings".equals(endpoint.getString("kind"))) {
      return user.equals(id) ? Future.succeededFuture()
        : Future.failedFuture(new BusFailures.Refusal(404, "No savings account " + id));
    }
    return call(rc, PortfolioAddresses.OWNS, new JsonObject().put("userId", user).put("portfolioId", id))
      .compose(r -> r.getBoolean("owned") ? Future.succeededFuture()
        : Future.failedFuture(new BusFailures.Refusal(404, "No portfolio " + id)));
  }

  private JsonObject withToken(JsonObject user) {
    UserTokens tokens = engine.userTokens();
    return user.copy().put("token", tokens.issue(user.getString("userId"), user.getString("username")))
      .put("tokenType", "Bearer").put("expiresIn", tokens.ttlSeconds());
  }

  /**
   * With an {@code Idempotency-Key} header, the command's id ({@code commandId}: the transfer or order id) is derived
   * from the user and the key, so a client retrying after a lost answer, on any node, names the same command and the
   * entity accepts the repeat without doing it again. Another user's same key gives another id.
   */
  private static JsonObject withCommandId(RoutingContext rc, String kind, String user, JsonObject request) {
    String key = rc.request().getHeader("Idempotency-Key");
    return key == null ? request : request.put("commandId", UUID.nameUUIDFromBytes((kind + "|"
      + user + "|" + key).getBytes(StandardCharsets.UTF_8)).toString());
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
      } catch (BusFailures.Refusal e) {
        result = Future.failedFuture(e);
      }
      result.onSuccess(json -> {
        if (!rc.response().ended()) {
          rc.json(json);
        }
      }).onFailure(e -> {
        if (e instanceof BusFailures.Refusal r) {
          Problems.send(rc, r.status(), Problems.title(r.status()), r.getMessage());
        } else {
          BusFailures.respond(rc, e);
        }
      });
    });
  }
}
