package trader.broker;

import org.junit.jupiter.api.Test;
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
import trader.eventsourcing.entity.EntityFixture;

import java.math.BigDecimal;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static trader.broker.Orders.T0;
import static trader.broker.Orders.gtc;
import static trader.broker.Orders.limit;
import static trader.broker.Orders.market;
import static trader.broker.Orders.p;
import static trader.broker.Orders.stop;
import static trader.broker.Orders.stopLimit;

/** The Order entity, given events / when a command / then events, for every command and every refusal. */
class OrderTest {

  private static final String ID = "7f3c8a52-1b0e-4d47-9a7e-0c2b9d1e5f10";
  private static final Instant T1 = T0.plusSeconds(1);

  private final EntityFixture<OrderCommand, OrderEvent, OrderState> order = EntityFixture.of(new Order());

  private static OrderDetails withId(OrderDetails o) {
    return withReserve(o, o.reservePrice());
  }

  private static OrderDetails withReserve(OrderDetails o, BigDecimal reserve) {
    return new OrderDetails(ID, o.portfolioId(), o.symbol(), o.side(), o.quantity(), o.type(), o.limitPrice(),
      o.stopPrice(), o.timeInForce(), reserve);
  }

  private static final OrderDetails MARKET_BUY = withReserve(market("x", Side.BUY), p("100.00"));
  private static final OrderDetails MARKET_SELL = withId(market("x", Side.SELL));
  private static final OrderDetails LIMIT_BUY = withReserve(limit("x", Side.BUY, "99.50"), p("99.50"));
  private static final OrderDetails LIMIT_SELL = withId(limit("x", Side.SELL, "101.00"));
  private static final OrderDetails STOP_BUY = withReserve(stop("x", Side.BUY, "105.00"), p("106.00"));
  private static final OrderDetails STOP_LIMIT_SELL = withId(stopLimit("x", Side.SELL, "95.00", "94.50"));
  private static final OrderDetails GTC_LIMIT_BUY = gtc(LIMIT_BUY);

  private static OrderAccepted accepted(OrderDetails o) {
    return OrderAccepted.of(o);
  }

  private static OrderFilled filled(OrderDetails o, String price, Instant time) {
    return new OrderFilled(ID, o.portfolioId(), p(price), o.quantity(), time);
  }

  private static OrderRejected rejected(String reason) {
    return new OrderRejected(ID, "portfolio-1", reason);
  }

  // PlaceOrder

  @Test
  void aValidOrderIsAcceptedPendingIfMarketElseResting() {
    order.given().when(PlaceOrder.of(MARKET_BUY)).thenEvents(accepted(MARKET_BUY))
      .thenState(new OrderState.Pending(MARKET_BUY));
    order.given().when(PlaceOrder.of(LIMIT_SELL)).thenEvents(accepted(LIMIT_SELL))
      .thenState(new OrderState.Resting(LIMIT_SELL));
    order.given().when(PlaceOrder.of(STOP_LIMIT_SELL)).thenEvents(accepted(STOP_LIMIT_SELL))
      .thenState(new OrderState.Resting(STOP_LIMIT_SELL));
  }

  @Test
  void anInvalidOrderIsRecordedAsRejectedWithTheReasonSoThePortfolioHearsOfIt() {
    placedAs(new OrderDetails(ID, "portfolio-1", " ", Side.BUY, 1, OrderType.MARKET, null, null, TimeInForce.DAY,
      p("1.00")), "the symbol is missing");
    placedAs(new OrderDetails(ID, "portfolio-1", "ACME", null, 1, OrderType.MARKET, null, null, TimeInForce.DAY,
      p("1.00")), "side, type and time in force are required");
    placedAs(withQuantity(MARKET_BUY, 0), "the quantity must be a positive whole number of shares");
    placedAs(withId(limit("x", Side.SELL, null)), "a LIMIT order needs a positive limit price");
    placedAs(withId(limit("x", Side.SELL, "0.00")), "a LIMIT order needs a positive limit price");
    placedAs(withId(limit("x", Side.SELL, "10.001")), "the limit price must be in whole cents");
    placedAs(withId(stop("x", Side.SELL, null)), "a STOP order needs a positive stop price");
    placedAs(withId(stopLimit("x", Side.SELL, "-1.00", "2.00")), "a STOP_LIMIT order needs a positive stop price");
    placedAs(withId(stopLimit("x", Side.SELL, "2.00", null)), "a STOP_LIMIT order needs a positive limit price");
    placedAs(withId(Orders.order("x", Side.SELL, OrderType.MARKET, "1.00", null, TimeInForce.DAY)),
      "a MARKET order takes no limit price");
    placedAs(withId(Orders.order("x", Side.SELL, OrderType.LIMIT, "1.00", "1.00", TimeInForce.DAY)),
      "a LIMIT order takes no stop price");
    placedAs(withReserve(MARKET_BUY, null), "a buy order needs a positive reserve price");
    placedAs(withReserve(LIMIT_BUY, p("99.49")), "the limit price is above the reserved price");
    placedAs(withReserve(STOP_BUY, p("104.99")), "the stop price is above the reserved price");
  }

  private void placedAs(OrderDetails o, String reason) {
    order.given().when(PlaceOrder.of(o)).thenEvents(rejected(reason))
      .thenState(new OrderState.Rejected(null, reason));
  }

  private static OrderDetails withQuantity(OrderDetails o, long quantity) {
    return new OrderDetails(o.orderId(), o.portfolioId(), o.symbol(), o.side(), quantity, o.type(), o.limitPrice(),
      o.stopPrice(), o.timeInForce(), o.reservePrice());
  }

  @Test
  void anOrderWithoutIdsCannotEvenBeRecorded() {
    order.given().when(PlaceOrder.of(new OrderDetails(ID, "", "ACME", Side.SELL, 1, OrderType.MARKET, null, null,
      TimeInForce.DAY, null))).thenRejected("an order needs an order id and a portfolio id");
  }

  @Test
  void aRepeatedPlacementChangesNothingAndAnotherOrderUnderTheSameIdIsRefused() {
    order.given(accepted(LIMIT_BUY)).when(PlaceOrder.of(LIMIT_BUY)).thenNoEvents()
      .thenState(new OrderState.Resting(LIMIT_BUY));
    OrderDetails sameValue = withReserve(
      new OrderDetails(ID, "portfolio-1", "ACME", Side.BUY, 10, OrderType.LIMIT, p("99.5"), null, TimeInForce.DAY,
        null), p("99.500"));
    order.given(accepted(LIMIT_BUY)).when(PlaceOrder.of(sameValue)).thenNoEvents();
    order.given(accepted(LIMIT_BUY)).when(PlaceOrder.of(withQuantity(LIMIT_BUY, 11)))
      .thenRejected("order id " + ID + " is already used by a different order");
    order.given(accepted(LIMIT_BUY), filled(LIMIT_BUY, "99.50", T1)).when(PlaceOrder.of(LIMIT_BUY)).thenNoEvents();
    order.given(accepted(LIMIT_BUY), filled(LIMIT_BUY, "99.50", T1)).when(PlaceOrder.of(withQuantity(LIMIT_BUY, 1)))
      .thenRejected("order id " + ID + " is already used by a different order");
    order.given(rejected("the symbol is missing")).when(PlaceOrder.of(LIMIT_BUY)).thenNoEvents();
  }

  // Trigger

  @Test
  void aStopOrderIsTriggeredOnceAndOtherOrdersHaveNothingToTrigger() {
    order.given(accepted(STOP_BUY)).when(new Trigger(T1))
      .thenEvents(new OrderTriggered(ID, "portfolio-1", T1))
      .thenState(new OrderState.Triggered(STOP_BUY, T1));
    order.given(accepted(STOP_BUY), new OrderTriggered(ID, "portfolio-1", T1)).when(new Trigger(T1)).thenNoEvents();
    order.given(accepted(LIMIT_BUY)).when(new Trigger(T1)).thenRejected("a LIMIT order has no stop price to trigger");
    order.given(accepted(MARKET_BUY)).when(new Trigger(T1))
      .thenRejected("a MARKET order has no stop price to trigger");
    order.given(accepted(STOP_BUY)).when(new Trigger(null)).thenRejected("a trigger needs a time");
    order.given(accepted(LIMIT_BUY), filled(LIMIT_BUY, "99.00", T1)).when(new Trigger(T1))
      .thenRejected("order already filled");
  }

  // Fill

  @Test
  void fillsTheWholeOrder() {
    order.given(accepted(MARKET_SELL)).when(new Fill(p("98.76"), T1)).thenEvents(filled(MARKET_SELL, "98.76", T1))
      .thenState(new OrderState.Filled(MARKET_SELL, p("98.76"), T1));
    order.given(accepted(LIMIT_BUY)).when(new Fill(p("99.50"), T1)).thenEvents(filled(LIMIT_BUY, "99.50", T1));
    order.given(accepted(LIMIT_SELL)).when(new Fill(p("101.50"), T1)).thenEvents(filled(LIMIT_SELL, "101.50", T1));
  }

  @Test
  void fillingAnUntriggeredStopTriggersIt() {
    order.given(accepted(STOP_BUY)).when(new Fill(p("105.10"), T1))
      .thenEvents(new OrderTriggered(ID, "portfolio-1", T1), filled(STOP_BUY, "105.10", T1));
    order.given(accepted(STOP_BUY), new OrderTriggered(ID, "portfolio-1", T0)).when(new Fill(p("105.10"), T1))
      .thenEvents(filled(STOP_BUY, "105.10", T1));
  }

  @Test
  void aBuyNeverFillsAboveItsReservePriceItIsRejectedInstead() {
    order.given(accepted(MARKET_BUY)).when(new Fill(p("100.00"), T1)).thenEvents(filled(MARKET_BUY, "100.00", T1));
    order.given(accepted(MARKET_BUY)).when(new Fill(p("100.01"), T1))
      .thenEvents(rejected("price moved beyond the reserved collar"))
      .thenState(new OrderState.Rejected(MARKET_BUY, Order.COLLAR));
    order.given(accepted(STOP_BUY)).when(new Fill(p("106.01"), T1))
      .thenEvents(new OrderTriggered(ID, "portfolio-1", T1), rejected(Order.COLLAR));
    order.given(accepted(STOP_BUY), new OrderTriggered(ID, "portfolio-1", T0)).when(new Fill(p("107.00"), T1))
      .thenEvents(rejected(Order.COLLAR));
    order.given(accepted(MARKET_SELL)).when(new Fill(p("500.00"), T1)).thenEvents(filled(MARKET_SELL, "500.00", T1));
  }

  @Test
  void aFillBeyondTheLimitOrWithoutPriceOrTimeIsRefused() {
    order.given(accepted(LIMIT_BUY)).when(new Fill(p("99.51"), T1))
      .thenRejected("the fill price 99.51 is above the limit price 99.50");
    order.given(accepted(LIMIT_SELL)).when(new Fill(p("100.99"), T1))
      .thenRejected("the fill price 100.99 is below the limit price 101.00");
    order.given(accepted(STOP_LIMIT_SELL)).when(new Fill(p("94.49"), T1))
      .thenRejected("the fill price 94.49 is below the limit price 94.50");
    order.given(accepted(MARKET_SELL)).when(new Fill(p("0"), T1)).thenRejected("the fill price must be positive");
    order.given(accepted(MARKET_SELL)).when(new Fill(null, T1)).thenRejected("the fill price must be positive");
    order.given(accepted(MARKET_SELL)).when(new Fill(p("1.00"), null)).thenRejected("a fill needs a time");
  }

  @Test
  void aRepeatedFillChangesNothingAndAnotherFillIsRefused() {
    order.given(accepted(MARKET_SELL), filled(MARKET_SELL, "98.76", T1)).when(new Fill(p("98.760"), T1))
      .thenNoEvents();
    order.given(accepted(MARKET_SELL), filled(MARKET_SELL, "98.76", T1)).when(new Fill(p("98.77"), T1))
      .thenRejected("order already filled");
  }

  // Cancel, and the race with a fill

  @Test
  void anOpenOrderIsCancelledWithItsReason() {
    order.given(accepted(LIMIT_BUY)).when(cancel("cancelled by the trader"))
      .thenEvents(new OrderCancelled(ID, "portfolio-1", "cancelled by the trader"))
      .thenState(new OrderState.Cancelled(LIMIT_BUY, "cancelled by the trader"));
    order.given(accepted(STOP_BUY), new OrderTriggered(ID, "portfolio-1", T0)).when(cancel(null))
      .thenEvents(new OrderCancelled(ID, "portfolio-1", "cancelled"));
    order.given(accepted(LIMIT_BUY), new OrderCancelled(ID, "portfolio-1", "x")).when(cancel("again"))
      .thenNoEvents();
  }

  @Test
  void onlyTheOrdersOwnPortfolioCancelsIt() {
    order.given(accepted(LIMIT_BUY)).when(new Cancel(ID, "portfolio-2", "not yours"))
      .thenRejected("order " + ID + " belongs to another portfolio");
    order.given().when(new Cancel(ID, null, "x"))
      .thenRejected("a cancel needs the order id and the portfolio id of its order");
  }

  @Test
  void aCancelBeforeThePlacementCancelsTheOrderAndThePlacementIsAbsorbed() {
    OrderState cancelled = order.given().when(cancel("cancelled by the trader"))
      .thenEvents(new OrderCancelled(ID, "portfolio-1", "cancelled by the trader"))
      .thenState(new OrderState.CancelledBeforePlacement("portfolio-1", "cancelled by the trader")).state();
    order.givenState(cancelled).when(PlaceOrder.of(LIMIT_BUY)).thenNoEvents();
    order.givenState(cancelled).when(cancel("again")).thenNoEvents();
    order.givenState(cancelled).when(new Fill(p("99.40"), T1)).thenRejected("order already cancelled");
    // the same id from another portfolio is another order
    order.givenState(cancelled).when(PlaceOrder.of(new OrderDetails(ID, "portfolio-2", LIMIT_BUY.symbol(),
        LIMIT_BUY.side(), LIMIT_BUY.quantity(), LIMIT_BUY.type(), LIMIT_BUY.limitPrice(), null,
        LIMIT_BUY.timeInForce(), LIMIT_BUY.reservePrice())))
      .thenRejected("order id " + ID + " is already used by a different order");
  }

  private static Cancel cancel(String reason) {
    return new Cancel(ID, "portfolio-1", reason);
  }

  @Test
  void whenACancelRacesAFillWhicheverIsHandledFirstWins() {
    OrderState resting = order.given(accepted(LIMIT_BUY)).state();

    OrderState fillFirst = order.givenState(resting).when(new Fill(p("99.40"), T1))
      .thenEvents(filled(LIMIT_BUY, "99.40", T1)).state();
    order.givenState(fillFirst).when(cancel("cancelled by the trader")).thenRejected("order already filled");

    OrderState cancelFirst = order.givenState(resting).when(cancel("cancelled by the trader"))
      .thenEvents(new OrderCancelled(ID, "portfolio-1", "cancelled by the trader")).state();
    order.givenState(cancelFirst).when(new Fill(p("99.40"), T1)).thenRejected("order already cancelled");
  }

  // Expire

  @Test
  void dayOrdersExpireAndGtcOrdersDoNot() {
    order.given(accepted(LIMIT_BUY)).when(new Expire()).thenEvents(new OrderExpired(ID, "portfolio-1"))
      .thenState(new OrderState.Expired(LIMIT_BUY));
    order.given(accepted(MARKET_BUY)).when(new Expire()).thenEvents(new OrderExpired(ID, "portfolio-1"));
    order.given(accepted(GTC_LIMIT_BUY)).when(new Expire())
      .thenRejected("a good-till-cancelled order does not expire");
    order.given(accepted(LIMIT_BUY), new OrderExpired(ID, "portfolio-1")).when(new Expire()).thenNoEvents();
    order.given(accepted(LIMIT_BUY), new OrderExpired(ID, "portfolio-1")).when(cancel("late"))
      .thenRejected("order already expired");
    order.given(accepted(LIMIT_BUY), new OrderCancelled(ID, "portfolio-1", "x")).when(new Expire())
      .thenRejected("order already cancelled");
    order.given().when(new Expire()).thenRejected("no order has been placed under this id");
  }

  // Reject

  @Test
  void theBrokerCanRejectAnOpenOrderWithAReason() {
    order.given(accepted(LIMIT_SELL)).when(new Reject("unknown symbol ACME"))
      .thenEvents(rejected("unknown symbol ACME"))
      .thenState(new OrderState.Rejected(LIMIT_SELL, "unknown symbol ACME"));
    order.given(accepted(LIMIT_SELL)).when(new Reject(" ")).thenRejected("a rejection needs a reason");
    order.given(accepted(LIMIT_SELL), rejected("x")).when(new Reject("x")).thenNoEvents();
    order.given(accepted(LIMIT_SELL), rejected("x")).when(new Fill(p("101.00"), T1))
      .thenRejected("order already rejected");
    order.given(accepted(LIMIT_SELL), filled(LIMIT_SELL, "101.00", T1)).when(new Reject("x"))
      .thenRejected("order already filled");
    order.given().when(new Reject("x")).thenRejected("no order has been placed under this id");
    order.given().when(new Fill(p("1.00"), T1)).thenRejected("no order has been placed under this id");
    order.given().when(new Trigger(T1)).thenRejected("no order has been placed under this id");
  }

  @Test
  void evolveRefusesEventsThatCannotHappenAndNamesAreStable() {
    Order type = new Order();
    assertThatThrownBy(() -> type.evolve(type.initialState(), filled(MARKET_SELL, "1.00", T1)))
      .isInstanceOf(IllegalStateException.class);
    assertThat(type.name()).isEqualTo("order");
    assertThat(type.events().typeName(filled(MARKET_SELL, "1.00", T1))).isEqualTo("order.filled");
    assertThat(type.commands().typeName(PlaceOrder.of(MARKET_SELL))).isEqualTo("order.place");
    assertThat(type.events().encode(filled(MARKET_SELL, "98.70", T1)).getValue("price")).isEqualTo("98.70");
  }
}
