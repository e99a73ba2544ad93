package trader.broker;

import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import trader.broker.OrderCommand.Cancel;
import trader.broker.OrderCommand.PlaceOrder;
import trader.broker.OrderEvent.OrderAccepted;
import trader.broker.contract.BrokerAddresses;
import trader.broker.contract.OrderResult;
import trader.eventsourcing.entity.EntityRef;
import trader.eventsourcing.entity.Reply;
import trader.eventsourcing.journal.StoredEvent;
import trader.eventsourcing.topic.TopicMessage;
import trader.eventsourcing.topic.TopicPublisher;
import trader.eventsourcing.topic.TopicSubscriber;
import trader.platform.BoundedContext;
import trader.platform.BusApi;
import trader.platform.BusFailures.Refusal;
import trader.platform.Engine;
import trader.portfolio.contract.PlacedOrder;

import java.time.Instant;

/**
 * The broker context: takes the orders portfolios placed (from {@code portfolio.orders}) as {@link Order} entities,
 * works them on the {@link Exchange} (one node of the cluster), cancels them on request, and publishes how each ended
 * on {@code broker.order-results} from its journal.
 */
public final class BrokerContext implements BoundedContext {

  private static final trader.eventsourcing.entity.RecordCodec<OrderEvent> ACCEPTED_CODEC = new Order().events();

  private Engine engine;
  private EntityRef<OrderCommand> orders;
  private TopicSubscriber placements;
  private TopicPublisher results;
  private MessageConsumer<?> cancels;
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
      placements = TopicSubscriber.start(engine.vertx(), engine.kafkaBootstrapServers(),
        engine.topic(PlacedOrder.TOPIC), engine.topic("broker"), 5, this::onPlacement);
      cancels = BusApi.serve(engine.vertx(), BrokerAddresses.CANCEL, this::cancel);
      return engine.vertx().deployVerticle(new Exchange(engine, orders));
    }).map(id -> {
      exchange = id;
      return null;
    });
  }

  @Override
  public Future<Void> stop() {
    if (cancels != null) {
      cancels.unregister();
    }
    return (exchange == null ? Future.<Void>succeededFuture() : engine.vertx().undeploy(exchange))
      .eventually(() -> placements == null ? Future.succeededFuture() : placements.close())
      .eventually(() -> results == null ? Future.succeededFuture() : results.close());
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

  private Future<JsonObject> cancel(JsonObject request) {
    String orderId = request.getString("orderId");
    return orders.send(orderId, new Cancel("cancelled by the trader")).compose(reply -> switch (reply) {
      case Reply.Accepted a -> Future.succeededFuture(new JsonObject().put("orderId", orderId)
        .put("position", a.position().toString()));
      case Reply.Rejected r -> Future.failedFuture(new Refusal(409, "Order " + orderId + ": " + r.reason()));
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
