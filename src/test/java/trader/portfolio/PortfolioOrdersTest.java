package trader.portfolio;

import org.junit.jupiter.api.Test;
import trader.eventsourcing.entity.EntityFixture;
import trader.eventsourcing.entity.RejectionKind;
import trader.portfolio.PortfolioCommand.PlaceOrder;
import trader.portfolio.PortfolioCommand.RecordFill;
import trader.portfolio.PortfolioCommand.RecordOrderEnd;
import trader.portfolio.PortfolioEvent.OrderEnded;
import trader.portfolio.PortfolioEvent.OrderFilled;
import trader.portfolio.PortfolioEvent.OrderPlaced;
import trader.portfolio.PortfolioState.Opened;

import java.math.BigDecimal;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static trader.portfolio.OrderOutcome.CANCELLED;
import static trader.portfolio.OrderOutcome.EXPIRED;
import static trader.portfolio.OrderOutcome.FILLED;
import static trader.portfolio.OrderOutcome.REJECTED;
import static trader.portfolio.OrderType.LIMIT;
import static trader.portfolio.OrderType.MARKET;
import static trader.portfolio.OrderType.STOP;
import static trader.portfolio.OrderType.STOP_LIMIT;
import static trader.portfolio.PortfolioFixtures.FILLED_AT;
import static trader.portfolio.PortfolioFixtures.OPENED;
import static trader.portfolio.PortfolioFixtures.OWNER;
import static trader.portfolio.PortfolioFixtures.PORTFOLIO_ID;
import static trader.portfolio.PortfolioFixtures.bought;
import static trader.portfolio.PortfolioFixtures.buyLimit;
import static trader.portfolio.PortfolioFixtures.buyMarket;
import static trader.portfolio.PortfolioFixtures.deposited;
import static trader.portfolio.PortfolioFixtures.events;
import static trader.portfolio.PortfolioFixtures.history;
import static trader.portfolio.PortfolioFixtures.limitBuyOrder;
import static trader.portfolio.PortfolioFixtures.marketBuyOrder;
import static trader.portfolio.PortfolioFixtures.marketSellOrder;
import static trader.portfolio.PortfolioFixtures.money;
import static trader.portfolio.PortfolioFixtures.sellMarket;
import static trader.portfolio.Side.BUY;
import static trader.portfolio.Side.SELL;
import static trader.portfolio.TimeInForce.DAY;
import static trader.portfolio.TimeInForce.GTC;

/** Orders on a portfolio: what placement reserves, what fills and ends settle, repeats and every rejection. */
class PortfolioOrdersTest {

  private final EntityFixture<PortfolioCommand, PortfolioEvent, PortfolioState> portfolio =
    PortfolioFixtures.portfolio();

  private static PortfolioEvent[] funded(String cash) {
    return events(OPENED, deposited("t1", cash));
  }

  private static Opened opened(PortfolioState state) {
    return (Opened) state;
  }

  // --- placement -------------------------------------------------------------------------------------------------

  @Test
  void aLimitBuyReservesQuantityTimesItsLimit() {
    Opened after = opened(portfolio.given(funded("1000.00"))
      .when(buyLimit("o1", "AAPL", 3, "150.5"))
      .thenEvents(new OrderPlaced(limitBuyOrder("o1", "AAPL", 3, "150.50", "451.50")))
      .state());
    assertThat(after.reservedCash()).isEqualTo(money("451.50"));
    assertThat(after.availableCash()).isEqualTo(money("548.50"));
    assertThat(after.openOrders()).containsOnlyKeys("o1");
  }

  @Test
  void aPortfolioRestsAtMostItsLimitOfOpenOrders() {
    var limited = EntityFixture.of(new Portfolio(2));
    var full = limited.given(history(funded("1000.00"), events(
      new OrderPlaced(limitBuyOrder("o1", "AAPL", 1, "10.00", "10.00")),
      new OrderPlaced(limitBuyOrder("o2", "AAPL", 1, "10.00", "10.00")))));
    full.when(buyLimit("o3", "AAPL", 1, "10"))
      .thenRejected(RejectionKind.LIMIT, Portfolio.tooManyOpenOrders(2));
    // a repeat of an open order is no new order: still answered as placed
    full.when(buyLimit("o2", "AAPL", 1, "10")).thenNoEvents();
    // once one has ended, there is room again
    limited.given(history(funded("1000.00"), events(
        new OrderPlaced(limitBuyOrder("o1", "AAPL", 1, "10.00", "10.00")),
        new OrderPlaced(limitBuyOrder("o2", "AAPL", 1, "10.00", "10.00")),
        new OrderEnded("o1", CANCELLED, "cancelled by the trader"))))
      .when(buyLimit("o3", "AAPL", 1, "10"))
      .thenEvents(new OrderPlaced(limitBuyOrder("o3", "AAPL", 1, "10.00", "10.00")));
    assertThat(Portfolio.tooManyOpenOrders(2)).contains("try again in 60 s"); // the gateway's Retry-After
  }

  @Test
  void aLimitBuyMayRepeatItsLimitAsReservePriceButNotAnotherPrice() {
    var funded = portfolio.given(funded("1000.00"));
    funded.when(new PlaceOrder("o1", "AAPL", BUY, 3, LIMIT, money("150.50"), null, DAY, money("150.5")))
      .thenEvents(new OrderPlaced(limitBuyOrder("o1", "AAPL", 3, "150.50", "451.50")));
    funded.when(new PlaceOrder("o1", "AAPL", BUY, 3, LIMIT, money("150.50"), null, DAY, money("151")))
      .thenRejected("A limit buy reserves at its limit price 150.50, not 151.00");
  }

  @Test
  void marketAndStopBuysReserveAtTheReservePriceTheyAreGiven() {
    var funded = portfolio.given(funded("1000.00"));
    funded.when(buyMarket("o1", "AAPL", 4, "101.25"))
      .thenEvents(new OrderPlaced(marketBuyOrder("o1", "AAPL", 4, "405.00")));
    funded.when(new PlaceOrder("o2", "AAPL", BUY, 2, STOP, null, money("99"), GTC, money("105.00")))
      .thenEvents(new OrderPlaced(new Order("o2", "AAPL", BUY, 2, STOP, null, money("99.00"), GTC, money("210.00"),
        0)));
    funded.when(new PlaceOrder("o3", "AAPL", BUY, 2, STOP_LIMIT, money("100"), money("99"), GTC, null))
      .thenEvents(new OrderPlaced(new Order("o3", "AAPL", BUY, 2, STOP_LIMIT, money("100.00"), money("99.00"), GTC,
        money("200.00"), 0)));
    funded.when(new PlaceOrder("o4", "AAPL", BUY, 2, MARKET, null, null, DAY, null))
      .thenRejected("A market buy needs a reserve price (the most it may pay per share)");
    funded.when(new PlaceOrder("o4", "AAPL", BUY, 2, STOP, null, money("99"), DAY, money("0")))
      .thenRejected("Reserve price must be greater than zero, not 0");
    funded.when(new PlaceOrder("o4", "AAPL", BUY, 2, MARKET, null, null, DAY, money("100.005")))
      .thenRejected("Reserve price 100.005 has more than 2 decimal places");
  }

  @Test
  void rejectsMalformedOrders() {
    var funded = portfolio.given(funded("1000.00"));
    funded.when(new PlaceOrder(" ", "AAPL", BUY, 1, MARKET, null, null, DAY, money("1")))
      .thenRejected("An order id is required");
    String symbolRule = "Symbol must be 1 to 10 upper-case letters, digits, dots or hyphens";
    funded.when(buyMarket("o1", "aapl", 1, "1")).thenRejected(symbolRule);
    funded.when(buyMarket("o1", "", 1, "1")).thenRejected(symbolRule);
    funded.when(buyMarket("o1", "ABCDEFGHIJK", 1, "1")).thenRejected(symbolRule);
    funded.when(buyMarket("o1", null, 1, "1")).thenRejected(symbolRule);
    funded.when(new PlaceOrder("o1", "AAPL", null, 1, MARKET, null, null, DAY, money("1")))
      .thenRejected("Side is required (BUY or SELL)");
    funded.when(buyMarket("o1", "AAPL", 0, "1"))
      .thenRejected("Quantity must be a whole number of shares greater than zero, not 0");
    funded.when(sellMarket("o1", "AAPL", -3))
      .thenRejected("Quantity must be a whole number of shares greater than zero, not -3");
    funded.when(new PlaceOrder("o1", "AAPL", BUY, 1, null, null, null, DAY, money("1")))
      .thenRejected("Order type is required (MARKET, LIMIT, STOP or STOP_LIMIT)");
    funded.when(new PlaceOrder("o1", "AAPL", BUY, 1, MARKET, null, null, null, money("1")))
      .thenRejected("Time in force is required (DAY or GTC)");
  }

  @Test
  void eachOrderTypeHasExactlyThePricesItNeeds() {
    var funded = portfolio.given(funded("1000.00"));
    funded.when(new PlaceOrder("o1", "AAPL", BUY, 1, LIMIT, null, null, DAY, null))
      .thenRejected("A limit order needs a limit price");
    funded.when(new PlaceOrder("o1", "AAPL", SELL, 1, STOP, null, null, DAY, null))
      .thenRejected("A stop order needs a stop price");
    funded.when(new PlaceOrder("o1", "AAPL", BUY, 1, STOP_LIMIT, money("10"), null, DAY, null))
      .thenRejected("A stop-limit order needs a stop price");
    funded.when(new PlaceOrder("o1", "AAPL", BUY, 1, STOP_LIMIT, null, money("10"), DAY, null))
      .thenRejected("A stop-limit order needs a limit price");
    // it would reserve at the limit and could never be filled at its stop
    funded.when(new PlaceOrder("o1", "AAPL", BUY, 1, STOP_LIMIT, money("10"), money("10.01"), DAY, null))
      .thenRejected("A stop-limit buy's stop price (10.01) must not be above its limit price (10.00)");
    funded.when(new PlaceOrder("o1", "AAPL", BUY, 1, MARKET, money("10"), null, DAY, money("10")))
      .thenRejected("A market order has no limit price");
    funded.when(new PlaceOrder("o1", "AAPL", BUY, 1, MARKET, null, money("10"), DAY, money("10")))
      .thenRejected("A market order has no stop price");
    funded.when(new PlaceOrder("o1", "AAPL", BUY, 1, LIMIT, money("10"), money("10"), DAY, null))
      .thenRejected("A limit order has no stop price");
    funded.when(new PlaceOrder("o1", "AAPL", BUY, 1, STOP, money("10"), money("10"), DAY, money("10")))
      .thenRejected("A stop order has no limit price");
    funded.when(new PlaceOrder("o1", "AAPL", BUY, 1, LIMIT, money("10.001"), null, DAY, null))
      .thenRejected("Limit price 10.001 has more than 2 decimal places");
    funded.when(new PlaceOrder("o1", "AAPL", BUY, 1, STOP, null, money("-1"), DAY, money("10")))
      .thenRejected("Stop price must be greater than zero, not -1");
  }

  @Test
  void aBuyNeedsAvailableCash() {
    portfolio.given(funded("100.00"))
      .when(buyLimit("o1", "AAPL", 3, "33.34"))
      .thenRejected("Insufficient funds: available 100.00, needed 100.02");
    portfolio.given(history(funded("100.00"), events(new OrderPlaced(marketBuyOrder("o1", "AAPL", 1, "60.00")))))
      .when(buyMarket("o2", "AAPL", 1, "40.01"))
      .thenRejected("Insufficient funds: available 40.00, needed 40.01");
  }

  @Test
  void fiftyBuysInSequenceNeverReserveMoreThanTheCash() {
    // alternating sizes: once the cash runs short, a later smaller order may still fit, a larger one never
    PortfolioState state = portfolio.given(funded("500.00")).state();
    BigDecimal modelAvailable = money("500.00");
    int accepted = 0;
    for (int i = 0; i < 50; i++) {
      long quantity = 1 + i % 2;
      BigDecimal needed = money("10.00").multiply(BigDecimal.valueOf(quantity));
      var when = portfolio.givenState(state).when(buyMarket("o" + i, "AAPL", quantity, "10.00"));
      if (needed.compareTo(modelAvailable) <= 0) {
        state = when.thenEvents(new OrderPlaced(marketBuyOrder("o" + i, "AAPL", quantity, needed.toPlainString())))
          .state();
        modelAvailable = modelAvailable.subtract(needed);
        accepted++;
      } else {
        when.thenRejected("Insufficient funds: available " + modelAvailable.toPlainString() + ", needed "
          + needed.toPlainString());
      }
      Opened after = opened(state);
      assertThat(after.reservedCash()).isLessThanOrEqualTo(after.cash());
    }
    Opened end = opened(state);
    assertThat(end.reservedCash()).isEqualTo(money("500.00"));
    assertThat(end.availableCash()).isEqualTo(money("0.00"));
    assertThat(end.openOrders()).hasSize(accepted);
    assertThat(accepted).isEqualTo(34); // 16 pairs (480.00), one more single (490.00), then the single o34 (500.00)
  }

  @Test
  void aSellReservesTheShares() {
    Opened after = opened(portfolio.given(history(funded("1000.00"), bought("o1", "AAPL", 10, "10.00")))
      .when(sellMarket("o2", "AAPL", 4))
      .thenEvents(new OrderPlaced(marketSellOrder("o2", "AAPL", 4)))
      .state());
    assertThat(after.holding("AAPL")).isEqualTo(new Holding(10, 4, money("100.00")));
    assertThat(after.reservedCash()).isEqualTo(money("0.00"));
  }

  @Test
  void twoSellsCannotReserveTheSameShares() {
    var oneSellOpen = portfolio.given(history(funded("1000.00"), bought("o1", "AAPL", 10, "10.00"),
      events(new OrderPlaced(marketSellOrder("o2", "AAPL", 6)))));
    oneSellOpen.when(sellMarket("o3", "AAPL", 5)).thenRejected("Insufficient shares of AAPL: available 4, needed 5");
    oneSellOpen.when(sellMarket("o3", "AAPL", 4)).thenEvents(new OrderPlaced(marketSellOrder("o3", "AAPL", 4)));
    oneSellOpen.when(sellMarket("o3", "MSFT", 1)).thenRejected("Insufficient shares of MSFT: available 0, needed 1");
  }

  @Test
  void aRepeatedPlacementChangesNothing() {
    PortfolioEvent[] placed = history(funded("100.00"), events(new OrderPlaced(marketBuyOrder("o1", "AAPL", 1,
      "60.00"))));
    // the repeat would not fit next to the original: it is recognised by its id, not placed again
    portfolio.given(placed).when(buyMarket("o1", "AAPL", 1, "60.00")).thenNoEvents();
    // once it has ended the state has forgotten it, and the runtime recognises its command id
    portfolio.after(new PortfolioCommand.OpenPortfolio(PORTFOLIO_ID, OWNER, "Retirement"),
        new PortfolioCommand.DepositCash("t1", money("100.00")), buyMarket("o1", "AAPL", 1, "60.00"),
        new RecordOrderEnd("o1", CANCELLED, "Cancelled by the user"))
      .when(buyMarket("o1", "AAPL", 1, "60.00")).thenNoEvents();
    assertThat(new Portfolio().commandId(buyMarket("o1", "AAPL", 2, "61.00")))
      .isEqualTo(new Portfolio().commandId(buyMarket("o1", "AAPL", 1, "60.00")));
  }

  @Test
  void aRejectedPlacementIsRejectedAgainWhenRepeated() {
    var funded = portfolio.given(funded("100.00"));
    String reason = "Insufficient funds: available 100.00, needed 120.00";
    funded.when(buyMarket("o1", "AAPL", 2, "60.00")).thenRejected(reason);
    funded.when(buyMarket("o1", "AAPL", 2, "60.00")).thenRejected(reason);
  }

  // --- fills -----------------------------------------------------------------------------------------------------

  @Test
  void aBuyFillPaysExactlyAndReleasesTheRestOfItsReservation() {
    Opened after = opened(portfolio.given(history(funded("1000.00"),
        events(new OrderPlaced(limitBuyOrder("o1", "AAPL", 3, "150.00", "450.00")))))
      .when(new RecordFill("o1", money("149.99"), 3, FILLED_AT))
      .thenEvents(new OrderFilled("o1", "AAPL", BUY, 3, money("149.99"), money("449.97"), money("449.97"), FILLED_AT))
      .state());
    assertThat(after.cash()).isEqualTo(money("550.03"));
    assertThat(after.reservedCash()).isEqualTo(money("0.00"));
    assertThat(after.holdings()).isEqualTo(Map.of("AAPL", new Holding(3, 0, money("449.97"))));
    assertThat(after.openOrders()).isEmpty();
  }

  /**
   * A portfolio's state does not grow with its history: an ended order leaves nothing behind (a repeated result or
   * placement is recognised by its command id, in the journal), so after 500 orders its snapshot is as small as after
   * one, and a result for an order that is not open any more changes nothing.
   */
  @Test
  void endedOrdersLeaveNothingInTheState() {
    Portfolio type = new Portfolio();
    PortfolioState state = type.initialState();
    for (PortfolioEvent e : funded("100000.00")) {
      state = type.evolve(state, e);
    }
    int sizeAfterOne = 0;
    for (int i = 0; i < 500; i++) {
      state = type.evolve(state, new OrderPlaced(limitBuyOrder("o" + i, "AAPL", 1, "10.00", "10.00")));
      state = type.evolve(state, new OrderFilled("o" + i, "AAPL", BUY, 1, money("10.00"), money("10.00"),
        money("10.00"), FILLED_AT));
      if (i == 0) {
        sizeAfterOne = type.states().encodeText(state).length();
      }
    }
    Opened after = opened(state);
    assertThat(after.openOrders()).isEmpty();
    // only the numbers grew a digit or two
    assertThat(type.states().encodeText(after).length()).isBetween(sizeAfterOne, sizeAfterOne + 16);
    assertThat(after.cash()).isEqualTo(money("95000.00"));
    portfolio.givenState(after).when(new RecordFill("o7", money("10.00"), 1, FILLED_AT)).thenNoEvents();
    portfolio.givenState(after).when(new RecordOrderEnd("o8", OrderOutcome.CANCELLED, "late")).thenNoEvents();
  }

  @Test
  void aBuyFillAboveItsReservationIsRejected() {
    // the broker is given the reserve price and never fills above it; a fill that would must not touch other money
    var placed = portfolio.given(history(funded("1000.00"),
      events(new OrderPlaced(marketBuyOrder("o1", "AAPL", 2, "202.00")))));
    placed.when(new RecordFill("o1", money("101.01"), 2, FILLED_AT))
      .thenRejected("A fill of order o1 at 101.01 costs 202.02, more than the 202.00 reserved for it");
    placed.when(new RecordFill("o1", money("101"), 2, FILLED_AT))
      .thenEvents(new OrderFilled("o1", "AAPL", BUY, 2, money("101.00"), money("202.00"), money("202.00"), FILLED_AT));
  }

  @Test
  void sellsCreditProceedsAndTakeTheAverageCostOffTheCostBasis() {
    // three shares that cost 10.00 in all: a third of that is 3.333..., which no amount of cents is
    PortfolioEvent[] holding = history(funded("100.00"), bought("b1", "AAPL", 1, "3.34"), bought("b2", "AAPL", 2,
      "3.33"), events(new OrderPlaced(marketSellOrder("s1", "AAPL", 1)), new OrderPlaced(marketSellOrder("s2",
      "AAPL", 1)), new OrderPlaced(marketSellOrder("s3", "AAPL", 1))));
    Opened start = opened(portfolio.given(holding).state());
    assertThat(start.holding("AAPL")).isEqualTo(new Holding(3, 3, money("10.00")));
    assertThat(start.cash()).isEqualTo(money("90.00"));

    Opened afterFirst = opened(portfolio.givenState(start)
      .when(new RecordFill("s1", money("5.00"), 1, FILLED_AT))
      .thenEvents(new OrderFilled("s1", "AAPL", SELL, 1, money("5.00"), money("5.00"), money("-3.33"), FILLED_AT))
      .state());
    assertThat(afterFirst.holding("AAPL")).isEqualTo(new Holding(2, 2, money("6.67")));
    assertThat(afterFirst.cash()).isEqualTo(money("95.00"));

    // 6.67 / 2 = 3.335, rounded half-even to 3.34
    Opened afterSecond = opened(portfolio.givenState(afterFirst)
      .when(new RecordFill("s2", money("0.1"), 1, FILLED_AT))
      .thenEvents(new OrderFilled("s2", "AAPL", SELL, 1, money("0.10"), money("0.10"), money("-3.34"), FILLED_AT))
      .state());
    assertThat(afterSecond.holding("AAPL")).isEqualTo(new Holding(1, 1, money("3.33")));

    // the last share takes what is left, so an empty holding never keeps a cost basis
    Opened afterLast = opened(portfolio.givenState(afterSecond)
      .when(new RecordFill("s3", money("0.2"), 1, FILLED_AT))
      .thenEvents(new OrderFilled("s3", "AAPL", SELL, 1, money("0.20"), money("0.20"), money("-3.33"), FILLED_AT))
      .state());
    assertThat(afterLast.holdings()).isEmpty();
    assertThat(afterLast.cash()).isEqualTo(money("95.30")); // 90.00 + 5.00 + 0.10 + 0.20, to the cent
  }

  @Test
  void aSellLimitIsNotFilledBelowItsLimit() {
    var placed = portfolio.given(history(funded("1000.00"), bought("b1", "AAPL", 10, "40.00"),
      events(new OrderPlaced(new Order("s1", "AAPL", SELL, 10, LIMIT, money("50.00"), null, GTC, money("0.00"),
        10)))));
    placed.when(new RecordFill("s1", money("49.99"), 10, FILLED_AT))
      .thenRejected("A fill of sell order s1 at 49.99 is below its limit price 50.00");
    placed.when(new RecordFill("s1", money("50.01"), 10, FILLED_AT))
      .thenEvents(new OrderFilled("s1", "AAPL", SELL, 10, money("50.01"), money("500.10"), money("-400.00"),
        FILLED_AT));
  }

  @Test
  void exactCentsThroughAWholeRoundTrip() {
    // 0.10 + 0.20 is 0.30, and buying at 0.30 leaves exactly nothing: no floating point anywhere
    Opened after = opened(portfolio.given(OPENED, deposited("t1", "0.10"), deposited("t2", "0.20"),
        new OrderPlaced(limitBuyOrder("o1", "PENNY", 1, "0.30", "0.30")))
      .when(new RecordFill("o1", money("0.30"), 1, FILLED_AT))
      .thenEvents(new OrderFilled("o1", "PENNY", BUY, 1, money("0.30"), money("0.30"), money("0.30"), FILLED_AT))
      .state());
    assertThat(after.cash()).isEqualTo(money("0.00"));
    assertThat(after.reservedCash()).isEqualTo(money("0.00"));
  }

  @Test
  void rejectsFillsThatDoNotFitTheOrder() {
    var placed = portfolio.given(history(funded("1000.00"),
      events(new OrderPlaced(limitBuyOrder("o1", "AAPL", 10, "50.00", "500.00")))));
    placed.when(new RecordFill("o1", money("50.00"), 5, FILLED_AT))
      .thenRejected("Order o1 is for 10 shares; a fill of 5 is refused because partial fills are not supported");
    placed.when(new RecordFill("o1", money("0"), 10, FILLED_AT))
      .thenRejected("Fill price must be greater than zero, not 0");
    placed.when(new RecordFill("o1", money("49.999"), 10, FILLED_AT))
      .thenRejected("Fill price 49.999 has more than 2 decimal places");
    placed.when(new RecordFill("o1", null, 10, FILLED_AT)).thenRejected("Fill price is required");
    placed.when(new RecordFill("o1", money("50.00"), 10, null)).thenRejected("The time of the fill is required");
    // the broker only knows orders placed here: one not open has its result already
    placed.when(new RecordFill("o2", money("50.00"), 10, FILLED_AT)).thenNoEvents();
    placed.when(new RecordFill("", money("50.00"), 10, FILLED_AT)).thenRejected("An order id is required");
  }

  // --- ends and duplicate results --------------------------------------------------------------------------------

  @Test
  void anEndedBuyReleasesItsCash() {
    Opened after = opened(portfolio.given(history(funded("1000.00"),
        events(new OrderPlaced(limitBuyOrder("o1", "AAPL", 3, "150.00", "450.00")))))
      .when(new RecordOrderEnd("o1", EXPIRED, "The trading day ended"))
      .thenEvents(new OrderEnded("o1", EXPIRED, "The trading day ended"))
      .state());
    assertThat(after.cash()).isEqualTo(money("1000.00"));
    assertThat(after.reservedCash()).isEqualTo(money("0.00"));
    assertThat(after.openOrders()).isEmpty();
  }

  @Test
  void anEndedSellReleasesItsShares() {
    Opened after = opened(portfolio.given(history(funded("1000.00"), bought("b1", "AAPL", 10, "10.00"),
        events(new OrderPlaced(marketSellOrder("s1", "AAPL", 4)))))
      .when(new RecordOrderEnd("s1", REJECTED, "The market is closed"))
      .thenEvents(new OrderEnded("s1", REJECTED, "The market is closed"))
      .state());
    assertThat(after.holding("AAPL")).isEqualTo(new Holding(10, 0, money("100.00")));
  }

  @Test
  void rejectsEndsThatDoNotFit() {
    var placed = portfolio.given(history(funded("1000.00"),
      events(new OrderPlaced(limitBuyOrder("o1", "AAPL", 3, "150.00", "450.00")))));
    String outcomes = "An order ends as REJECTED, CANCELLED or EXPIRED; a fill is recorded as a fill";
    placed.when(new RecordOrderEnd("o1", FILLED, "Filled")).thenRejected(outcomes);
    placed.when(new RecordOrderEnd("o1", null, "Gone")).thenRejected(outcomes);
    placed.when(new RecordOrderEnd("o1", CANCELLED, " ")).thenRejected("An ended order needs a reason");
    placed.when(new RecordOrderEnd("o9", CANCELLED, "Cancelled")).thenNoEvents();
    placed.when(new RecordOrderEnd(null, CANCELLED, "Cancelled")).thenRejected("An order id is required");
  }

  @Test
  void eachOrderResultIsAppliedOnceAndTheFirstOneWins() {
    PortfolioEvent[] filled = history(funded("1000.00"), bought("o1", "AAPL", 2, "100.00"));
    Opened afterFill = opened(portfolio.given(filled).state());
    portfolio.given(filled).when(new RecordFill("o1", money("100.00"), 2, FILLED_AT)).thenNoEvents()
      .thenState(afterFill);
    portfolio.given(filled).when(new RecordOrderEnd("o1", CANCELLED, "Cancelled")).thenNoEvents()
      .thenState(afterFill);

    PortfolioEvent[] cancelled = history(funded("1000.00"), events(
      new OrderPlaced(limitBuyOrder("o1", "AAPL", 2, "100.00", "200.00")),
      new OrderEnded("o1", CANCELLED, "Cancelled")));
    portfolio.given(cancelled).when(new RecordOrderEnd("o1", CANCELLED, "Cancelled")).thenNoEvents();
    portfolio.given(cancelled).when(new RecordFill("o1", money("100.00"), 2, FILLED_AT)).thenNoEvents();
  }
}
