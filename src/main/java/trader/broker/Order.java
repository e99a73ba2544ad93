package trader.broker;

import trader.broker.OrderCommand.Cancel;
import trader.broker.OrderCommand.Expire;
import trader.broker.OrderCommand.Fill;
import trader.broker.OrderCommand.PlaceOrder;
import trader.broker.OrderCommand.Reject;
import trader.broker.OrderCommand.Trigger;
import trader.broker.OrderEvent.OrderAccepted;
import trader.broker.OrderEvent.OrderCancelled;
import trader.broker.OrderEvent.OrderExpired;
import trader.broker.OrderEvent.OrderFilled;
import trader.broker.OrderEvent.OrderRejected;
import trader.broker.OrderEvent.OrderTriggered;
import trader.eventsourcing.entity.Decision;
import trader.eventsourcing.entity.EntityType;
import trader.eventsourcing.entity.RecordCodec;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The broker's order, an event-sourced entity (type {@value #NAME}, id = the order id).
 *
 * <p>Life: {@code PlaceOrder} → accepted (a MARKET order is pending until it fills at a quote; the others rest) or, if it
 * breaks the {@link PlacementRules}, rejected with the reason (recorded, so the portfolio hears of it and releases
 * its reservation). A stop order is triggered, then filled; any open order can be filled (whole), cancelled,
 * rejected, or, if DAY, expired. A closed order refuses every change with "order already filled/cancelled/..."
 * except an exact repeat of what closed it, which is accepted without events (redeliveries are harmless). So a
 * cancel racing a fill: whichever the entity handles first wins, the other is refused.
 *
 * <p>A buy never fills above its reserve price, since the portfolio reserved only that much cash: such a fill
 * rejects the order instead ("price moved beyond the reserved collar"). A fill beyond a limit price is refused.
 */
public final class Order implements EntityType<OrderCommand, OrderEvent, OrderState> {

  public static final String NAME = "order";
  public static final String COLLAR = "price moved beyond the reserved collar";

  private static final RecordCodec<OrderCommand> COMMANDS = RecordCodec.of(OrderCommand.class)
    .add("order.place", PlaceOrder.class)
    .add("order.trigger", Trigger.class)
    .add("order.fill", Fill.class)
    .add("order.cancel", Cancel.class)
    .add("order.expire", Expire.class)
    .add("order.reject", Reject.class)
    .build();

  private static final RecordCodec<OrderEvent> EVENTS = RecordCodec.of(OrderEvent.class)
    .add("order.accepted", OrderAccepted.class)
    .add("order.triggered", OrderTriggered.class)
    .add("order.filled", OrderFilled.class)
    .add("order.cancelled", OrderCancelled.class)
    .add("order.expired", OrderExpired.class)
    .add("order.rejected", OrderRejected.class)
    .sharingDecodings()
    .build();

  private static final RecordCodec<OrderState> STATES = RecordCodec.of(OrderState.class)
    .add("order.state.unplaced", OrderState.Unplaced.class)
    .add("order.state.pending", OrderState.Pending.class)
    .add("order.state.resting", OrderState.Resting.class)
    .add("order.state.triggered", OrderState.Triggered.class)
    .add("order.state.filled", OrderState.Filled.class)
    .add("order.state.cancelled", OrderState.Cancelled.class)
    .add("order.state.expired", OrderState.Expired.class)
    .add("order.state.rejected", OrderState.Rejected.class)
    .add("order.state.cancelled-before-placement", OrderState.CancelledBeforePlacement.class)
    .build();

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public OrderState initialState() {
    return new OrderState.Unplaced();
  }

  /** A placement comes under an order id the broker has not seen: only a redelivery finds the order there. */
  @Override
  public boolean startsStream(OrderCommand command) {
    return command instanceof OrderCommand.PlaceOrder;
  }

  /** A closed order (filled, cancelled, expired, rejected) changes no more: it need not wait in memory. */
  @Override
  public boolean isFinal(OrderState state) {
    return state instanceof OrderState.Closed;
  }

  @Override
  public Decision<OrderEvent> decide(OrderState state, OrderCommand command) {
    return switch (state) {
      case OrderState.Unplaced unplaced -> decideUnplaced(command);
      case OrderState.Open open -> decideOpen(open, command);
      case OrderState.Closed closed -> decideClosed(closed, command);
    };
  }

  private static Decision<OrderEvent> decideUnplaced(OrderCommand command) {
    String notPlaced = "no order has been placed under this id";
    return switch (command) {
      case PlaceOrder place -> place(place.details());
      case Trigger trigger -> Decision.reject(notPlaced);
      case Fill fill -> Decision.reject(notPlaced);
      // kept: the placement may be on its way (held behind a dead letter, say); the portfolio hears it is cancelled
      case Cancel cancel -> blank(cancel.orderId()) || blank(cancel.portfolioId())
        ? Decision.reject("a cancel needs the order id and the portfolio id of its order")
        : Decision.accept(new OrderCancelled(cancel.orderId(), cancel.portfolioId(), reason(cancel)));
      case Expire expire -> Decision.reject(notPlaced);
      case Reject reject -> Decision.reject(notPlaced);
    };
  }

  private static Decision<OrderEvent> place(OrderDetails o) {
    if (blank(o.orderId()) || blank(o.portfolioId())) {
      return Decision.reject("an order needs an order id and a portfolio id");
    }
    return PlacementRules.problemWith(o)
      .<Decision<OrderEvent>>map(problem -> Decision.accept(new OrderRejected(o.orderId(), o.portfolioId(), problem)))
      .orElseGet(() -> Decision.accept(OrderAccepted.of(o)));
  }

  private static Decision<OrderEvent> decideOpen(OrderState.Open open, OrderCommand command) {
    OrderDetails o = open.order();
    return switch (command) {
      case PlaceOrder place -> repeatedPlacement(o, place.details());
      case Trigger trigger -> trigger(open, trigger);
      case Fill fill -> fill(open, fill);
      case Cancel cancel -> o.portfolioId().equals(cancel.portfolioId())
        ? Decision.accept(new OrderCancelled(o.orderId(), o.portfolioId(), reason(cancel)))
        : Decision.reject("order " + o.orderId() + " belongs to another portfolio");
      case Expire expire -> o.timeInForce() == TimeInForce.DAY
        ? Decision.accept(new OrderExpired(o.orderId(), o.portfolioId()))
        : Decision.reject("a good-till-cancelled order does not expire");
      case Reject reject -> blank(reject.reason())
        ? Decision.reject("a rejection needs a reason")
        : Decision.accept(new OrderRejected(o.orderId(), o.portfolioId(), reject.reason()));
    };
  }

  private static Decision<OrderEvent> trigger(OrderState.Open open, Trigger trigger) {
    if (trigger.time() == null) {
      return Decision.reject("a trigger needs a time");
    }
    return switch (open) {
      case OrderState.Triggered already -> Decision.accept(); // a repeat
      case OrderState.Pending pending -> Decision.reject("a MARKET order has no stop price to trigger");
      case OrderState.Resting resting -> resting.order().type().stopped()
        ? Decision.accept(new OrderTriggered(resting.order().orderId(), resting.order().portfolioId(), trigger.time()))
        : Decision.reject("a " + resting.order().type() + " order has no stop price to trigger");
    };
  }

  private static Decision<OrderEvent> fill(OrderState.Open open, Fill fill) {
    OrderDetails o = open.order();
    BigDecimal price = fill.price();
    if (price == null || price.signum() <= 0) {
      return Decision.reject("the fill price must be positive");
    }
    if (fill.time() == null) {
      return Decision.reject("a fill needs a time");
    }
    if (o.type().limited()) {
      int vsLimit = price.compareTo(o.limitPrice());
      if (o.side() == Side.BUY && vsLimit > 0) {
        return Decision.reject("the fill price " + price + " is above the limit price " + o.limitPrice());
      }
      if (o.side() == Side.SELL && vsLimit < 0) {
        return Decision.reject("the fill price " + price + " is below the limit price " + o.limitPrice());
      }
    }
    List<OrderEvent> events = new ArrayList<>(2);
    if (open instanceof OrderState.Resting && o.type().stopped()) {
      events.add(new OrderTriggered(o.orderId(), o.portfolioId(), fill.time())); // a fill implies the trigger
    }
    if (o.side() == Side.BUY && price.compareTo(o.reservePrice()) > 0) {
      events.add(new OrderRejected(o.orderId(), o.portfolioId(), COLLAR));
    } else {
      events.add(new OrderFilled(o.orderId(), o.portfolioId(), price, o.quantity(), fill.time()));
    }
    return Decision.accept(events);
  }

  private static Decision<OrderEvent> decideClosed(OrderState.Closed closed, OrderCommand command) {
    Decision<OrderEvent> refused = Decision.reject(switch (closed) {
      case OrderState.Filled filled -> "order already filled";
      case OrderState.Cancelled cancelled -> "order already cancelled";
      case OrderState.Expired expired -> "order already expired";
      case OrderState.Rejected rejected -> "order already rejected";
      case OrderState.CancelledBeforePlacement cancelled -> "order already cancelled";
    });
    return switch (command) {
      case PlaceOrder place -> switch (closed) {
        // cancelled before it came: the portfolio has its answer already
        case OrderState.CancelledBeforePlacement cancelled -> cancelled.portfolioId().equals(place.portfolioId())
          ? Decision.accept()
          : Decision.reject("order id " + place.orderId() + " is already used by a different order");
        default -> closed.order() == null ? Decision.accept() // refused at placement: already answered
          : repeatedPlacement(closed.order(), place.details());
      };
      case Fill fill -> closed instanceof OrderState.Filled filled && sameFill(filled, fill)
        ? Decision.accept() : refused;
      case Cancel cancel -> closed instanceof OrderState.Cancelled
        || closed instanceof OrderState.CancelledBeforePlacement ? Decision.accept() : refused;
      case Expire expire -> closed instanceof OrderState.Expired ? Decision.accept() : refused;
      case Reject reject -> closed instanceof OrderState.Rejected ? Decision.accept() : refused;
      case Trigger trigger -> refused;
    };
  }

  /** The same placement again is a redelivery; another order under the same id is a mistake. */
  private static Decision<OrderEvent> repeatedPlacement(OrderDetails placed, OrderDetails again) {
    return sameOrder(placed, again) ? Decision.accept()
      : Decision.reject("order id " + placed.orderId() + " is already used by a different order");
  }

  private static boolean sameFill(OrderState.Filled filled, Fill fill) {
    return fill.price() != null && filled.price().compareTo(fill.price()) == 0
      && filled.time().equals(fill.time());
  }

  /** Equal details, prices compared by value (10.5 is 10.50). */
  static boolean sameOrder(OrderDetails a, OrderDetails b) {
    return a.orderId().equals(b.orderId()) && a.portfolioId().equals(b.portfolioId())
      && Objects.equals(a.symbol(), b.symbol()) && a.side() == b.side() && a.quantity() == b.quantity()
      && a.type() == b.type() && a.timeInForce() == b.timeInForce() && samePrice(a.limitPrice(), b.limitPrice())
      && samePrice(a.stopPrice(), b.stopPrice()) && samePrice(a.reservePrice(), b.reservePrice());
  }

  private static boolean samePrice(BigDecimal a, BigDecimal b) {
    return a == null ? b == null : b != null && a.compareTo(b) == 0;
  }

  @Override
  public OrderState evolve(OrderState state, OrderEvent event) {
    return switch (event) {
      case OrderAccepted accepted -> accepted.type() == OrderType.MARKET
        ? new OrderState.Pending(accepted.details()) : new OrderState.Resting(accepted.details());
      case OrderTriggered triggered -> new OrderState.Triggered(open(state, event).order(), triggered.time());
      case OrderFilled filled -> new OrderState.Filled(open(state, event).order(), filled.price(), filled.time());
      case OrderCancelled cancelled -> state instanceof OrderState.Unplaced
        ? new OrderState.CancelledBeforePlacement(cancelled.portfolioId(), cancelled.reason())
        : new OrderState.Cancelled(open(state, event).order(), cancelled.reason());
      case OrderExpired expired -> new OrderState.Expired(open(state, event).order());
      case OrderRejected rejected -> new OrderState.Rejected(
        state instanceof OrderState.Unplaced ? null : open(state, event).order(), rejected.reason());
    };
  }

  private static OrderState.Open open(OrderState state, OrderEvent event) {
    if (state instanceof OrderState.Open open) {
      return open;
    }
    throw new IllegalStateException(event + " on an order that is not open: " + state);
  }

  private static String reason(Cancel cancel) {
    return blank(cancel.reason()) ? "cancelled" : cancel.reason();
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  @Override
  public RecordCodec<OrderCommand> commands() {
    return COMMANDS;
  }

  @Override
  public RecordCodec<OrderEvent> events() {
    return EVENTS;
  }

  @Override
  public RecordCodec<OrderState> states() {
    return STATES;
  }
}
