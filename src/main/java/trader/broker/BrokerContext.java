package trader.broker;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import trader.broker.OrderCommand.Cancel;
import trader.broker.OrderCommand.PlaceOrder;
import trader.broker.OrderEvent.OrderAccepted;
import trader.broker.contract.OrderResult;
import trader.eventsourcing.entity.EntityRef;
import trader.eventsourcing.entity.Reply;
import trader.eventsourcing.journal.StoredEvent;
import trader.eventsourcing.topic.TopicMessage;
import trader.eventsourcing.topic.TopicPublisher;
import trader.eventsourcing.topic.TopicSubscriber;
import trader.platform.BoundedContext;
import trader.platform.Engine;
import trader.portfolio.contract.CancelRequest;
import trader.portfolio.contract.PlacedOrder;

import java.time.Instant;

/**
 * The broker context: takes the orders portfolios placed (from {@code portfolio.orders}) as {@link Order} entities,
 * works them on the {@link Exchange} (one node of the cluster), cancels them when their portfolio asks (on the same
 * topic, after the placement), and publishes how each ended on {@code broker.order-results} from its journal.
 */
public final class BrokerContext implements BoundedContext {

  private static final trader.eventsourcing.entity.RecordCodec<OrderEvent> ACCEPTED_CODEC = new Order().events();
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BrokerContext.class);

  private Engine engine;
  private EntityRef<OrderCommand> orders;
  private TopicSubscriber placements;
  private TopicPublisher results;
  private String exchange;

  @Override
  public String name() {
    return "broker";
  }

  @Override
  public Future<Void> start(Engine engine) {
    this.engine = engine;
    return engine.entities().register(new Order()).compose(ref -> {
      orders = ref;
      engine.projections().register(new BrokerOrders(engine.vertx()));
      results = TopicPublisher.create(engine.vertx(), engine.kafkaBootstrapServers(), "publish_broker_results",
        engine.topic(OrderResult.TOPIC), BrokerContext::isResult, BrokerContext::result);
      engine.projections().register(results);
      placements = engine.subscribe(PlacedOrder.TOPIC, "broker", this::onOrderMessage);
      return engine.vertx().deployVerticle(new Exchange(engine, orders));
    }).map(id -> {
      exchange = id;
      return null;
    });
  }

  @Override
  public Future<Void> stop() {
    return (exchange == null ? Future.<Void>succeededFuture() : engine.vertx().undeploy(exchange))
      .eventually(() -> placements == null ? Future.succeededFuture() : placements.close())
      .eventually(() -> results == null ? Future.succeededFuture() : results.close());
  }

  /** What a portfolio tells the broker: a placement or a cancel request; other types are not for the broker. */
  private Future<Void> onOrderMessage(TopicMessage message) {
    return switch (message.type()) {
      case PlacedOrder.TYPE -> onPlacement(message);
      case CancelRequest.TYPE -> onCancel(message);
      default -> Future.failedFuture(new TopicSubscriber.Refused("not an order message: " + message.type()));
    };
  }

  /** A placed order becomes the Order entity of the same id; a redelivery is an exact repeat and changes nothing. */
  private Future<Void> onPlacement(TopicMessage message) {
    PlacedOrder p = PlacedOrder.fromJson(message.payload());
    PlaceOrder place = new PlaceOrder(p.orderId(), p.portfolioId(), p.symbol(), Side.valueOf(p.side()), p.quantity(),
      OrderType.valueOf(p.type()), p.limitPrice(), p.stopPrice(), TimeInForce.valueOf(p.timeInForce()),
      p.reservePrice());
    return orders.send(p.orderId(), place).compose(reply -> switch (reply) {
      case Reply.Rejected r -> Future.failedFuture(new TopicSubscriber.Refused("Order " + p.orderId()
        + " refused its placement: " + r.reason()));
      case Reply.Accepted a -> {
        // straight to the exchange, a read-side hop sooner; a repeat (no events) or a refusal (rejected event) is not
        if (a.events() > 0 && PlacementRules.problemWith(place.details()).isEmpty()) {
          engine.vertx().eventBus().publish(Exchange.ACCEPTED, new JsonObject().put("orderId", p.orderId())
            .put("status", "OPEN").put("details", ACCEPTED_CODEC.encode(OrderAccepted.of(place.details()))));
        }
        yield Future.succeededFuture();
      }
    });
  }

  /**
   * A cancel request becomes the order's cancel; refused once the order has ended otherwise (a fill won the race),
   * which leaves the portfolio with the result that came first.
   */
  private Future<Void> onCancel(TopicMessage message) {
    CancelRequest cancel = CancelRequest.fromJson(message.payload());
    return orders.send(cancel.orderId(), new Cancel(cancel.orderId(), cancel.portfolioId(), cancel.reason()))
      .<Void>map(reply -> {
        if (reply instanceof Reply.Rejected r) {
          LOG.debug("Order {}: cancel not applied: {}", cancel.orderId(), r.reason());
        }
        return null;
      });
  }

  static boolean isResult(StoredEvent e) {
    return switch (e.type()) {
      case "order.filled", "order.cancelled", "order.expired", "order.rejected" -> true;
      default -> false;
    };
  }

  static TopicMessage result(StoredEvent e) {
    JsonObject p = e.payload();
    String status = BrokerOrders.status(e.type());
    boolean filled = "FILLED".equals(status);
    String reason = switch (status) {
      case "FILLED" -> null;
      case "EXPIRED" -> "the session closed";
      default -> p.getString("reason");
    };
    OrderResult result = new OrderResult(p.getString("orderId"), p.getString("portfolioId"), status,
      filled ? new java.math.BigDecimal(p.getString("price")) : null, filled ? p.getLong("quantity") : null,
      filled ? Instant.parse(p.getString("time")) : e.timestamp(), reason);
    return TopicMessage.of(e, result.toJson());
  }
}
