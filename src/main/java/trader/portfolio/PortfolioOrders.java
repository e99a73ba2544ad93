package trader.portfolio;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import trader.eventsourcing.journal.Position;
import trader.broker.contract.OrderResult;
import trader.eventsourcing.entity.EntityRef;
import trader.eventsourcing.entity.RejectionKind;
import trader.eventsourcing.entity.Reply;
import trader.eventsourcing.journal.StoredEvent;
import trader.eventsourcing.topic.TopicMessage;
import trader.eventsourcing.topic.TopicSubscriber;
import trader.platform.BusFailures.Refusal;
import trader.platform.Engine;
import trader.portfolio.PortfolioCommand.PlaceOrder;
import trader.portfolio.PortfolioCommand.RecordFill;
import trader.portfolio.PortfolioCommand.RecordOrderEnd;
import trader.portfolio.PortfolioCommand.RequestCancel;
import trader.portfolio.contract.CancelRequest;
import trader.portfolio.contract.PlacedOrder;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Function;

/**
 * The order side of the portfolio context: places orders (reserving at placement), answers order reads from
 * {@link OrderViews}, takes cancel requests for the owner's open orders, publishes placements and cancel requests
 * for the broker and records the broker's results. It never asks the broker anything: what the broker must know
 * goes through Kafka, from the portfolio's journal.
 */
final class PortfolioOrders {

  private static final Duration READ_YOUR_WRITES = Duration.ofSeconds(2);
  private static final BigDecimal HUNDRED = new BigDecimal(100);

  private final Engine engine;
  private final EntityRef<PortfolioCommand> portfolios;
  private final QuoteReplica quotes;
  private final Function<String, Future<String>> owner;
  private final BigDecimal collarFactor;

  /**
   * @param owner the owner of a portfolio id (null if unknown), from the portfolio read side
   */
  PortfolioOrders(Engine engine, EntityRef<PortfolioCommand> portfolios, QuoteReplica quotes,
                  Function<String, Future<String>> owner) {
    this.engine = engine;
    this.portfolios = portfolios;
    this.quotes = quotes;
    this.owner = owner;
    this.collarFactor = BigDecimal.ONE.add(engine.settings().decimal("orders.collar-percent").divide(HUNDRED));
  }

  /** {@code {userId, portfolioId, order: {symbol, side, quantity, type, limitPrice?, stopPrice?, timeInForce}}}. */
  Future<JsonObject> place(JsonObject request) {
    String portfolioId = request.getString("portfolioId");
    JsonObject o = request.getJsonObject("order");
    return owner.apply(portfolioId).compose(found -> {
      if (!request.getString("userId").equals(found)) {
        return Future.failedFuture(new Refusal(404, "No portfolio " + portfolioId));
      }
      PlaceOrder place = command(request.getString("commandId", UUID.randomUUID().toString()), o);
      return portfolios.send(portfolioId, place).compose(reply -> switch (reply) {
        case Reply.Accepted a -> Future.succeededFuture(new JsonObject().put("orderId", place.orderId())
          .put("position", a.position().toString()));
        case Reply.Rejected r ->
          Future.failedFuture(new Refusal(r.kind() == RejectionKind.LIMIT ? 429 : 409, r.reason()));
      });
    });
  }

  /** The command for an order request (its id chosen by the caller); 400 for prices the type does not take, 409 without a quote to reserve at. */
  private PlaceOrder command(String orderId, JsonObject o) {
    OrderType type = OrderType.valueOf(o.getString("type"));
    Side side = Side.valueOf(o.getString("side"));
    String symbol = o.getString("symbol");
    BigDecimal limit = decimal(o.getString("limitPrice"));
    BigDecimal stop = decimal(o.getString("stopPrice"));
    if (type.hasLimitPrice() != (limit != null)) {
      throw new Refusal(400, "A " + type.label() + " order " + (limit == null ? "needs" : "has no") + " limitPrice");
    }
    if (type.hasStopPrice() != (stop != null)) {
      throw new Refusal(400, "A " + type.label() + " order " + (stop == null ? "needs" : "has no") + " stopPrice");
    }
    // every order needs a market for its symbol; that is also how an unknown symbol is refused
    BigDecimal ask = quotes.lastAsk(symbol).orElseThrow(() -> new Refusal(409, "no quote for " + symbol + " yet"));
    BigDecimal reservePrice = null;
    if (side == Side.BUY && !type.hasLimitPrice()) {
      // a stop buy fills at or above its stop, so the collar goes on whichever is higher
      BigDecimal base = stop != null && stop.compareTo(ask) > 0 ? stop : ask;
      reservePrice = base.multiply(collarFactor).setScale(2, RoundingMode.CEILING);
    }
    return new PlaceOrder(orderId, symbol, side, o.getLong("quantity"), type, limit, stop,
      TimeInForce.valueOf(o.getString("timeInForce")), reservePrice);
  }

  private static BigDecimal decimal(String s) {
    return s == null ? null : new BigDecimal(s);
  }

  /** {@code {userId, portfolioId, status?, position?}} → the portfolio's orders, newest first. */
  Future<JsonObject> list(JsonObject request) {
    String portfolioId = request.getString("portfolioId");
    return engine.progress().fresh(OrderViews.NAME, request.getString("position"), READ_YOUR_WRITES)
      .compose(v -> owner.apply(portfolioId))
      .compose(found -> {
        if (!request.getString("userId").equals(found)) {
          return Future.failedFuture(new Refusal(404, "No portfolio " + portfolioId));
        }
        return engine.pool().preparedQuery("select * from orders where portfolio_id = $1 "
            + "and ($2::text is null or status = $2) order by placed_at desc, order_id limit 1000")
          .execute(Tuple.of(portfolioId, request.getString("status")));
      })
      .map(rows -> {
        JsonArray orders = new JsonArray();
        rows.forEach(r -> orders.add(json(r)));
        return new JsonObject().put("orders", orders);
      });
  }

  /**
   * {@code {userId, orderId, position?}} → the order; 404 for another user's order. With a position, a row that has
   * already applied its order's events up to it (its own {@code position} column) is answered at once: waiting for the
   * whole read side (every shard) to pass it would add nothing to this row.
   */
  Future<JsonObject> get(JsonObject request) {
    Position wanted = parsedOrNull(request.getString("position"));
    Future<Row> row = wanted == null ? caughtUpThenOwned(request) : owned(request).transform(ar ->
      ar.succeeded() && applied(ar.result(), wanted) ? Future.succeededFuture(ar.result()) : caughtUpThenOwned(request));
    return row.map(PortfolioOrders::json);
  }

  /** The order once the read side has passed the request's position (or caught up, without one). */
  private Future<Row> caughtUpThenOwned(JsonObject request) {
    return engine.progress().fresh(OrderViews.NAME, request.getString("position"), READ_YOUR_WRITES)
      .compose(v -> owned(request));
  }

  private static boolean applied(Row row, Position wanted) {
    Position at = parsedOrNull(row.getString("position"));
    return at != null && !wanted.isAfter(at);
  }

  /** A position, or null for none or one that does not parse (then {@code fresh} answers as for any bad one). */
  private static Position parsedOrNull(String position) {
    try {
      return position == null ? null : Position.parse(position);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * {@code {userId, orderId}}: records the owner's request to cancel an open order, which goes to the broker through
   * the portfolio's journal and Kafka; the order ends as cancelled unless it fills first. 409 once it has ended.
   */
  Future<JsonObject> cancel(JsonObject request) {
    return engine.progress().fresh(OrderViews.NAME, null, READ_YOUR_WRITES)
      .compose(v -> owned(request))
      .compose(row -> {
        String orderId = row.getString("order_id");
        String status = row.getString("status");
        if (!"OPEN".equals(status)) {
          return Future.failedFuture(new Refusal(409, "Order " + orderId + " is already " + status.toLowerCase()));
        }
        return portfolios.send(row.getString("portfolio_id"), new RequestCancel(orderId)).compose(reply ->
          switch (reply) {
            case Reply.Accepted a -> Future.succeededFuture(new JsonObject().put("orderId", orderId)
              .put("position", a.position().toString()));
            case Reply.Rejected r -> Future.<JsonObject>failedFuture(new Refusal(409, r.reason()));
          });
      });
  }

  private Future<Row> owned(JsonObject request) {
    String orderId = request.getString("orderId");
    return engine.pool().preparedQuery("select * from orders where order_id = $1").execute(Tuple.of(orderId))
      .compose(rows -> rows.size() == 1 && rows.iterator().next().getString("owner_id")
        .equals(request.getString("userId")) ? Future.succeededFuture(rows.iterator().next())
        : Future.failedFuture(new Refusal(404, "No order " + orderId)));
  }

  private static JsonObject json(Row r) {
    return new JsonObject().put("orderId", r.getString("order_id")).put("portfolioId", r.getString("portfolio_id"))
      .put("symbol", r.getString("symbol")).put("side", r.getString("side")).put("quantity", r.getLong("quantity"))
      .put("type", r.getString("type")).put("limitPrice", money(r.getBigDecimal("limit_price")))
      .put("stopPrice", money(r.getBigDecimal("stop_price"))).put("timeInForce", r.getString("time_in_force"))
      .put("reservedCash", money(r.getBigDecimal("reserved_cash"))).put("status", r.getString("status"))
      .put("fillPrice", money(r.getBigDecimal("fill_price"))).put("reason", r.getString("reason"))
      .put("placedAt", r.getOffsetDateTime("placed_at").toInstant().toString())
      .put("updatedAt", r.getOffsetDateTime("updated_at").toInstant().toString())
      .put("cancelRequested", r.getOffsetDateTime("cancel_requested_at") != null)
      .put("position", r.getString("position"));
  }

  private static String money(BigDecimal amount) {
    return amount == null ? null : amount.setScale(2).toPlainString();
  }

  /** A broker result becomes the portfolio's record of it, under the order id (a redelivery changes nothing). */
  Future<Void> onResult(TopicMessage message) {
    OrderResult result = OrderResult.fromJson(message.payload());
    PortfolioCommand command = "FILLED".equals(result.outcome())
      ? new RecordFill(result.orderId(), result.price(), result.quantity(), result.time())
      : new RecordOrderEnd(result.orderId(), OrderOutcome.valueOf(result.outcome()), result.reason());
    return portfolios.send(result.portfolioId(), command).compose(reply -> reply instanceof Reply.Rejected r
      ? Future.failedFuture(new TopicSubscriber.Refused("Portfolio " + result.portfolioId() + " refused result " + result.outcome() + " of order "
        + result.orderId() + ": " + r.reason()))
      : Future.succeededFuture());
  }

  /** What the broker must hear of: placements and cancel requests. */
  static boolean isForBroker(StoredEvent e) {
    return e.type().equals(PlacedOrder.TYPE) || e.type().equals(CancelRequest.TYPE);
  }

  /**
   * The published form of a placement (the reserve price per share is what the buy reserved per share) or of a
   * cancel request.
   */
  static TopicMessage forBroker(StoredEvent e) {
    String portfolioId = e.streamId().substring(Portfolio.NAME.length() + 1);
    return switch (new Portfolio().events().decode(e.type(), e.schemaVersion(), e.payload())) {
      case PortfolioEvent.OrderPlaced placed -> {
        Order o = placed.order();
        BigDecimal reservePrice = o.side() == Side.BUY
          ? o.reservedCash().divide(BigDecimal.valueOf(o.quantity()), 2, RoundingMode.UNNECESSARY) : null;
        yield TopicMessage.of(e, new PlacedOrder(o.orderId(), portfolioId, o.symbol(), o.side().name(), o.quantity(),
          o.type().name(), o.limitPrice(), o.stopPrice(), o.timeInForce().name(), reservePrice).toJson());
      }
      case PortfolioEvent.OrderCancelRequested cancel -> TopicMessage.of(e,
        new CancelRequest(cancel.orderId(), portfolioId, "cancelled by the trader").toJson());
      default -> throw new IllegalArgumentException("not for the broker: " + e.type());
    };
  }
}
