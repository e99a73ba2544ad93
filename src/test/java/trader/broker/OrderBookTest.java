package trader.broker;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import trader.broker.BookEvent.Filled;
import trader.broker.BookEvent.Triggered;
import trader.quotes.Quote;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static trader.broker.Orders.SYMBOL;
import static trader.broker.Orders.T0;
import static trader.broker.Orders.gtc;
import static trader.broker.Orders.limit;
import static trader.broker.Orders.market;
import static trader.broker.Orders.p;
import static trader.broker.Orders.quote;
import static trader.broker.Orders.stop;
import static trader.broker.Orders.stopLimit;

class OrderBookTest {

  private final OrderBook book = new OrderBook(SYMBOL);

  /** A quote one cent wide whose ask is {@code ask}. */
  private static Quote askAt(String ask) {
    return quote(p(ask).subtract(p("0.01")).toPlainString(), ask);
  }

  /** A quote one cent wide whose bid is {@code bid}. */
  private static Quote bidAt(String bid) {
    return quote(bid, p(bid).add(p("0.01")).toPlainString());
  }

  private static Filled filled(OrderDetails o, String price) {
    return new Filled(o, p(price), T0);
  }

  private static Triggered triggered(OrderDetails o, String price) {
    return new Triggered(o, p(price), T0);
  }

  @ParameterizedTest(name = "buy limit 100.00, ask {0}: filled {1}")
  @CsvSource({"100.01, false", "100.00, true", "99.99, true"})
  void buyLimitFillsWhenTheAskIsAtOrBelowTheLimitAtTheAsk(String ask, boolean fills) {
    OrderDetails o = limit("b", Side.BUY, "100.00");
    book.add(o);
    List<BookEvent> events = book.onQuote(askAt(ask));
    assertThat(events).isEqualTo(fills ? List.of(filled(o, ask)) : List.of());
    assertThat(book.contains("b")).isEqualTo(!fills);
  }

  @ParameterizedTest(name = "sell limit 100.00, bid {0}: filled {1}")
  @CsvSource({"99.99, false", "100.00, true", "100.01, true"})
  void sellLimitFillsWhenTheBidIsAtOrAboveTheLimitAtTheBid(String bid, boolean fills) {
    OrderDetails o = limit("s", Side.SELL, "100.00");
    book.add(o);
    assertThat(book.onQuote(bidAt(bid))).isEqualTo(fills ? List.of(filled(o, bid)) : List.of());
    assertThat(book.contains("s")).isEqualTo(!fills);
  }

  @ParameterizedTest(name = "buy stop 100.00, ask {0}: triggered {1}")
  @CsvSource({"99.99, false", "100.00, true", "100.01, true"})
  void buyStopTriggersWhenTheAskIsAtOrAboveTheStopAndFillsAtTheAsk(String ask, boolean triggers) {
    OrderDetails o = stop("b", Side.BUY, "100.00");
    book.add(o);
    assertThat(book.onQuote(askAt(ask)))
      .isEqualTo(triggers ? List.of(triggered(o, ask), filled(o, ask)) : List.of());
    assertThat(book.contains("b")).isEqualTo(!triggers);
  }

  @ParameterizedTest(name = "sell stop 100.00, bid {0}: triggered {1}")
  @CsvSource({"100.01, false", "100.00, true", "99.99, true"})
  void sellStopTriggersWhenTheBidIsAtOrBelowTheStopAndFillsAtTheBid(String bid, boolean triggers) {
    OrderDetails o = stop("s", Side.SELL, "100.00");
    book.add(o);
    assertThat(book.onQuote(bidAt(bid)))
      .isEqualTo(triggers ? List.of(triggered(o, bid), filled(o, bid)) : List.of());
    assertThat(book.contains("s")).isEqualTo(!triggers);
  }

  @ParameterizedTest(name = "buy stop 100.00 limit 100.05, ask {0}: {1}")
  @CsvSource({"99.99, none", "100.00, filled", "100.05, filled", "100.06, rests"})
  void buyStopLimitTriggersLikeAStopThenFillsOnlyWithinItsLimit(String ask, String outcome) {
    OrderDetails o = stopLimit("b", Side.BUY, "100.00", "100.05");
    book.add(o);
    List<BookEvent> events = book.onQuote(askAt(ask));
    switch (outcome) {
      case "none" -> assertThat(events).isEmpty();
      case "filled" -> assertThat(events).containsExactly(triggered(o, ask), filled(o, ask));
      default -> assertThat(events).containsExactly(triggered(o, ask));
    }
    assertThat(book.contains("b")).isEqualTo(!outcome.equals("filled"));
  }

  @ParameterizedTest(name = "sell stop 100.00 limit 99.95, bid {0}: {1}")
  @CsvSource({"100.01, none", "100.00, filled", "99.95, filled", "99.94, rests"})
  void sellStopLimitTriggersLikeAStopThenFillsOnlyWithinItsLimit(String bid, String outcome) {
    OrderDetails o = stopLimit("s", Side.SELL, "100.00", "99.95");
    book.add(o);
    List<BookEvent> events = book.onQuote(bidAt(bid));
    switch (outcome) {
      case "none" -> assertThat(events).isEmpty();
      case "filled" -> assertThat(events).containsExactly(triggered(o, bid), filled(o, bid));
      default -> assertThat(events).containsExactly(triggered(o, bid));
    }
    assertThat(book.contains("s")).isEqualTo(!outcome.equals("filled"));
  }

  @Test
  void aTriggeredStopLimitRestsAsALimitOrderUntilTheMarketComesBack() {
    OrderDetails buy = stopLimit("b", Side.BUY, "100.00", "100.05");
    OrderDetails sell = stopLimit("s", Side.SELL, "90.00", "89.95");
    book.add(buy);
    book.add(sell);
    assertThat(book.onQuote(quote("100.19", "100.20"))).containsExactly(triggered(buy, "100.20")); // gapped up
    assertThat(book.onQuote(quote("100.10", "100.11"))).isEmpty(); // still above the limit: no second trigger
    assertThat(book.onQuote(quote("100.04", "100.05"))).containsExactly(filled(buy, "100.05"));
    assertThat(book.onQuote(quote("89.80", "89.81"))).containsExactly(triggered(sell, "89.80")); // gapped down
    assertThat(book.onQuote(quote("89.96", "89.97"))).containsExactly(filled(sell, "89.96"));
    assertThat(book.size()).isZero();
  }

  @Test
  void marketOrdersFillAtTheNextQuoteBuysAtTheAskSellsAtTheBid() {
    OrderDetails buy = market("b", Side.BUY);
    OrderDetails sell = market("s", Side.SELL);
    book.add(buy);
    book.add(sell);
    assertThat(book.onQuote(quote("50.00", "50.02"))).containsExactly(filled(buy, "50.02"), filled(sell, "50.00"));
    assertThat(book.size()).isZero();
  }

  @Test
  void staleQuotesExecuteNothing() {
    book.add(market("m", Side.BUY));
    book.add(limit("l", Side.BUY, "100.00"));
    assertThat(book.onQuote(quote("98.00", "98.01").asStale())).isEmpty();
    assertThat(book.size()).isEqualTo(2);
  }

  @Test
  void atSessionCloseDayOrdersExpireAndGtcOrdersStay() {
    OrderDetails dayLimit = limit("d1", Side.BUY, "90.00");
    OrderDetails dayStop = stop("d2", Side.SELL, "80.00");
    OrderDetails dayMarket = market("d3", Side.BUY);
    OrderDetails dayTriggered = stopLimit("d4", Side.BUY, "100.00", "100.05");
    OrderDetails gtcLimit = gtc(limit("g1", Side.BUY, "90.00"));
    OrderDetails gtcStop = gtc(stop("g2", Side.SELL, "80.00"));
    book.addTriggered(dayTriggered);
    for (OrderDetails o : List.of(dayLimit, dayStop, dayMarket, gtcLimit, gtcStop)) {
      book.add(o);
    }
    assertThat(book.expireDay()).containsExactly(dayTriggered, dayLimit, dayStop, dayMarket);
    assertThat(book.size()).isEqualTo(2);
    assertThat(book.expireDay()).isEmpty();
    assertThat(book.onQuote(quote("79.00", "79.01")))
      .containsExactly(filled(gtcLimit, "79.01"), triggered(gtcStop, "79.00"), filled(gtcStop, "79.00"));
  }

  @Test
  void cancelTakesARestingOrderOutOnce() {
    OrderDetails o = limit("b", Side.BUY, "100.00");
    book.add(o);
    assertThat(book.cancel("b")).isTrue();
    assertThat(book.cancel("b")).isFalse();
    assertThat(book.onQuote(askAt("99.00"))).isEmpty();
    book.add(market("m", Side.BUY));
    assertThat(book.cancel("m")).isTrue();
    assertThat(book.onQuote(askAt("99.00"))).isEmpty();
    book.add(limit("f", Side.BUY, "100.00"));
    book.onQuote(askAt("99.00"));
    assertThat(book.cancel("f")).as("already filled").isFalse();
    assertThat(book.cancel("unknown")).isFalse();
  }

  @Test
  void ordersAtOnePriceFillInArrivalOrderAndBetterPricesFirst() {
    OrderDetails a = limit("a", Side.BUY, "100.00");
    OrderDetails b = limit("b", Side.BUY, "100.00");
    OrderDetails c = limit("c", Side.BUY, "100.00");
    OrderDetails d = limit("d", Side.BUY, "100.00");
    OrderDetails better = limit("better", Side.BUY, "100.50");
    for (OrderDetails o : List.of(a, b, c, d, better)) {
      book.add(o);
    }
    book.cancel("c");
    assertThat(book.onQuote(askAt("100.00")))
      .containsExactly(filled(better, "100.00"), filled(a, "100.00"), filled(b, "100.00"), filled(d, "100.00"));
  }

  @Test
  void aQuoteLooksOnlyAtTheOrdersItReachesNotAtTheFarAwayOnes() {
    int far = 100_000;
    for (int i = 0; i < far / 4; i++) {
      String below = p("50.00").subtract(p("0.01").multiply(p(Integer.toString(i % 4000)))).toPlainString();
      String above = p("150.00").add(p("0.01").multiply(p(Integer.toString(i % 4000)))).toPlainString();
      book.add(limit("bl" + i, Side.BUY, below));
      book.add(limit("sl" + i, Side.SELL, above));
      book.add(stop("bs" + i, Side.BUY, above));
      book.add(stop("ss" + i, Side.SELL, below));
    }
    assertThat(book.size()).isEqualTo(far);
    for (int i = 0; i < 1000; i++) {
      assertThat(book.onQuote(quote("99.99", "100.00"))).isEmpty();
    }
    assertThat(book.ordersExamined()).isZero();
    assertThat(book.levelsChecked()).as("one head per ladder per quote").isEqualTo(4 * 1000);

    OrderDetails near = limit("near", Side.BUY, "100.00");
    book.add(near);
    assertThat(book.onQuote(quote("99.99", "100.00"))).containsExactly(filled(near, "100.00"));
    assertThat(book.ordersExamined()).isEqualTo(1);
    assertThat(book.levelsChecked()).isEqualTo(4 * 1000 + 5); // the level taken, then the far head
    assertThat(book.size()).isEqualTo(far);
  }

  @Test
  void addingTwiceIsIgnoredAndForeignOrBrokenOrdersAreRefused() {
    assertThat(book.add(limit("x", Side.BUY, "10.00"))).isTrue();
    assertThat(book.add(limit("x", Side.BUY, "10.00"))).isFalse();
    OrderDetails other = new OrderDetails("y", "p", "OTHER", Side.BUY, 1, OrderType.MARKET, null, null,
      TimeInForce.DAY, p("1.00"));
    assertThatThrownBy(() -> book.add(other)).hasMessageContaining("is for OTHER");
    assertThatThrownBy(() -> book.add(limit("z", Side.BUY, null))).hasMessageContaining("needs a positive limit");
    assertThatThrownBy(() -> book.addTriggered(limit("w", Side.BUY, "1.00"))).hasMessageContaining("Only stop");
    assertThatThrownBy(() -> book.onQuote(quote("OTHER", "1.00", "1.01", 0))).hasMessageContaining("OTHER");
  }

  /** An order of {@code type} (buy or sell) with the stop and limit prices given, empty for none. */
  private static OrderDetails of(String type, Side side, String stop, String limit) {
    return Orders.order("o", side, OrderType.valueOf(type), limit.isEmpty() ? null : limit,
      stop.isEmpty() ? null : stop, TimeInForce.DAY);
  }

  @ParameterizedTest(name = "{0} {1} stop {2} limit {3} at {4}/{5}")
  @CsvSource({
    "MARKET, BUY, '', '', 99.99, 100.00", "MARKET, SELL, '', '', 99.99, 100.00",
    "LIMIT, BUY, '', 100.00, 99.99, 100.00", "LIMIT, BUY, '', 100.00, 100.00, 100.01",
    "LIMIT, SELL, '', 100.00, 100.00, 100.01", "LIMIT, SELL, '', 100.00, 99.99, 100.00",
    "STOP, BUY, 100.00, '', 99.99, 100.00", "STOP, BUY, 100.00, '', 99.98, 99.99",
    "STOP, SELL, 100.00, '', 100.00, 100.01", "STOP, SELL, 100.00, '', 100.01, 100.02",
    "STOP_LIMIT, BUY, 100.00, 100.05, 100.04, 100.05", "STOP_LIMIT, BUY, 100.00, 100.05, 100.05, 100.06",
    "STOP_LIMIT, BUY, 100.00, 100.05, 99.98, 99.99",
    "STOP_LIMIT, SELL, 100.00, 99.95, 99.95, 99.96", "STOP_LIMIT, SELL, 100.00, 99.95, 99.94, 99.95",
    "STOP_LIMIT, SELL, 100.00, 99.95, 100.01, 100.02"})
  void anOrderArrivingAtTheLatestQuoteIsExecutedAsThatQuoteWouldExecuteItResting(String type, Side side, String stop,
                                                                                 String limit, String bid, String ask) {
    OrderDetails o = of(type, side, stop, limit);
    OrderBook resting = new OrderBook(SYMBOL);
    resting.add(o);
    List<BookEvent> byTheQuote = resting.onQuote(quote(bid, ask));
    assertThat(book.addAt(o, quote(bid, ask))).isEqualTo(byTheQuote);
    assertThat(book.contains("o")).isEqualTo(resting.contains("o"));
    // what waits goes on waiting the same way: the next quote executes it in both books alike
    assertThat(book.onQuote(quote("89.00", "110.00"))).isEqualTo(resting.onQuote(quote("89.00", "110.00")));
    assertThat(book.onQuote(quote("110.00", "110.01"))).isEqualTo(resting.onQuote(quote("110.00", "110.01")));
  }

  @Test
  void aMarketOrderArrivingFillsAtOnceAtTheAskOrTheBid() {
    OrderDetails buy = market("b", Side.BUY);
    OrderDetails sell = market("s", Side.SELL);
    assertThat(book.addAt(buy, quote("50.00", "50.02"))).containsExactly(filled(buy, "50.02"));
    assertThat(book.addAt(sell, quote("50.00", "50.02"))).containsExactly(filled(sell, "50.00"));
    assertThat(book.size()).isZero();
  }

  @Test
  void aLimitArrivingFillsAtTheQuoteIfMarketableElseRestsForALaterQuote() {
    OrderDetails marketable = limit("m", Side.BUY, "100.00");
    OrderDetails away = limit("a", Side.BUY, "99.00");
    assertThat(book.addAt(marketable, askAt("99.50"))).containsExactly(filled(marketable, "99.50"));
    assertThat(book.addAt(away, askAt("99.50"))).isEmpty();
    assertThat(book.contains("a")).isTrue();
    assertThat(book.onQuote(askAt("98.90"))).containsExactly(filled(away, "98.90"));
  }

  @Test
  void aStopArrivingPastItsPriceTriggersAndFillsAtOnceAStopLimitMayRestAsALimit() {
    OrderDetails stop = stop("s", Side.SELL, "100.00");
    OrderDetails stopLimit = stopLimit("sl", Side.BUY, "100.00", "100.05");
    assertThat(book.addAt(stop, bidAt("99.00"))).containsExactly(triggered(stop, "99.00"), filled(stop, "99.00"));
    assertThat(book.addAt(stopLimit, askAt("100.20"))).containsExactly(triggered(stopLimit, "100.20"));
    assertThat(book.onQuote(askAt("100.05"))).containsExactly(filled(stopLimit, "100.05"));
    assertThat(book.size()).isZero();
  }

  @Test
  void aStaleLatestQuoteExecutesNothingOnArrivalTheOrderWaitsForTheNextQuote() {
    OrderDetails o = market("m", Side.BUY);
    assertThat(book.addAt(o, quote("98.00", "98.01").asStale())).isEmpty();
    assertThat(book.contains("m")).isTrue();
    assertThat(book.onQuote(quote("98.10", "98.11"))).containsExactly(filled(o, "98.11"));
  }

  @Test
  void onArrivalOnlyTheNewOrderIsExecutedAndOneAlreadyInTheBookIsNotExecutedAgain() {
    OrderDetails waiting = market("w", Side.BUY); // came when there was no usable quote
    OrderDetails resting = limit("r", Side.BUY, "100.00");
    book.add(waiting);
    book.add(resting);
    OrderDetails arriving = market("n", Side.SELL);
    assertThat(book.addAt(arriving, quote("99.00", "99.01"))).containsExactly(filled(arriving, "99.00"));
    assertThat(book.addAt(resting, quote("99.00", "99.01"))).as("a redelivered placement").isEmpty();
    assertThat(book.size()).isEqualTo(2);
    assertThat(book.onQuote(quote("99.00", "99.01")))
      .containsExactly(filled(waiting, "99.01"), filled(resting, "99.01"));
    assertThatThrownBy(() -> book.addAt(limit("x", Side.BUY, "1.00"), quote("OTHER", "1.00", "1.01", 0)))
      .hasMessageContaining("OTHER");
    assertThat(book.contains("x")).isFalse();
  }

  @Test
  void aTriggeredStopAddedOnRecoveryFillsAtTheNextQuoteWithoutASecondTrigger() {
    OrderDetails o = stop("s", Side.SELL, "100.00");
    book.addTriggered(o);
    assertThat(book.onQuote(quote("120.00", "120.01"))).containsExactly(filled(o, "120.00"));
  }
}
