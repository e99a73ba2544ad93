package trader.broker;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import trader.broker.OrdersHarness.Portfolio;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static trader.broker.OrdersHarness.awaitSettled;
import static trader.broker.OrdersHarness.holding;
import static trader.broker.OrdersHarness.order;
import static trader.broker.OrdersHarness.until;

/**
 * A new order is executed as soon as the exchange has it, against its symbol's latest quote, if that quote is fresh:
 * no new quote is produced while these orders fill. Only a quote that is not stale and at most
 * {@code orders.quote-max-age-ms} old counts (here a minute, so that a slow machine cannot age a fresh quote); with
 * another the order waits for the next fresh quote. Fill prices tell which quote executed an order.
 */
class ImmediateExecutionTest {

  @RegisterExtension
  static final OrdersHarness h = new OrdersHarness().with("orders.quote-max-age-ms", 60_000);

  @BeforeAll
  static void exchangeFollowsQuotes() {
    // the exchange follows quotes from when it took its lock: an order it filled shows that it follows them now
    String sym = OrdersHarness.symbol();
    Portfolio p = quoted("100.00", sym, "9.99", "10.00");
    p.awaitStatus(p.placed(order(sym, "BUY", 1, "MARKET", "GTC")), "FILLED", () -> h.quote(sym, "9.99", "10.00"));
  }

  /** A new portfolio with {@code cash}, once the node has a quote of {@code sym} (the exchange then has it too). */
  static Portfolio quoted(String cash, String sym, String bid, String ask) {
    Portfolio p = h.funded(cash);
    h.awaitQuoted(p, sym, () -> h.quote(sym, bid, ask));
    return p;
  }

  /** Places {@code order}, waits for its fill without producing a quote, and returns its fill price. */
  static String filledWithoutQuote(Portfolio p, JsonObject order) {
    return p.awaitStatus(p.placed(order), "FILLED", () -> { }).getString("fillPrice");
  }

  @Test
  void aMarketOrderFillsAtOnceAtTheCurrentAskOrBid() {
    String sym = OrdersHarness.symbol();
    Portfolio p = quoted("5000.00", sym, "99.90", "100.00");
    assertThat(filledWithoutQuote(p, order(sym, "BUY", 10, "MARKET", "GTC"))).isEqualTo("100.00");
    awaitSettled(p, "4000.00"); // the shares are there with the cash: the same fill moved both
    assertThat(filledWithoutQuote(p, order(sym, "SELL", 10, "MARKET", "GTC"))).isEqualTo("99.90");
    awaitSettled(p, "4999.00");
    assertThat(holding(p.view(), sym)).isNull();
  }

  @ParameterizedTest(name = "a {0} buy, stop {1}, limit {2}")
  @CsvSource({"LIMIT, '', 51.00", "STOP, 49.00, ''", "STOP_LIMIT, 49.00, 51.00"})
  void aBuyTheLatestQuoteAlreadyExecutesFillsAtOnceAtTheAsk(String type, String stop, String limit) {
    String sym = OrdersHarness.symbol();
    Portfolio p = quoted("1000.00", sym, "49.90", "50.00");
    JsonObject order = order(sym, "BUY", 5, type, "GTC");
    if (!stop.isEmpty()) {
      order.put("stopPrice", stop);
    }
    if (!limit.isEmpty()) {
      order.put("limitPrice", limit);
    }
    assertThat(filledWithoutQuote(p, order)).isEqualTo("50.00");
    awaitSettled(p, "750.00");
  }

  @Test
  void aLimitTheLatestQuoteDoesNotReachRestsUntilALaterQuoteDoes() {
    String sym = OrdersHarness.symbol();
    Portfolio p = quoted("1000.00", sym, "49.90", "50.00");
    String away = p.placed(order(sym, "BUY", 5, "LIMIT", "GTC").put("limitPrice", "48.00"));
    until("the broker has the order", () -> h.brokerStatus(away) != null, () -> { });
    assertThat(h.brokerStatus(away)).isEqualTo("OPEN");
    JsonObject filled = p.awaitStatus(away, "FILLED", () -> h.quote(sym, "47.40", "47.50"));
    assertThat(filled.getString("fillPrice")).isEqualTo("47.50");
    awaitSettled(p, "762.50");
  }

  @Test
  void aStaleOrTooOldLatestQuoteExecutesNothingTheOrderWaitsForTheNextFreshQuote() {
    Portfolio p = h.funded("1000.00");
    String stale = OrdersHarness.symbol();
    String old = OrdersHarness.symbol();
    // the only quotes the exchange ever sees of these symbols before the orders: one stale, one ten minutes old
    h.awaitQuoted(p, stale, () -> h.quote(stale, "29.90", "30.00", Instant.now(), true));
    h.awaitQuoted(p, old, () -> h.quote(old, "29.90", "30.00", Instant.now().minus(Duration.ofMinutes(10)), false));
    String onStale = p.placed(order(stale, "BUY", 1, "MARKET", "GTC"));
    String onOld = p.placed(order(old, "BUY", 1, "MARKET", "GTC"));
    until("the broker has the orders", () -> h.brokerStatus(onStale) != null && h.brokerStatus(onOld) != null,
      () -> { });
    assertThat(h.brokerStatus(onStale)).isEqualTo("OPEN");
    assertThat(h.brokerStatus(onOld)).isEqualTo("OPEN");

    assertThat(p.awaitStatus(onStale, "FILLED", () -> h.quote(stale, "30.10", "30.20")).getString("fillPrice"))
      .isEqualTo("30.20");
    assertThat(p.awaitStatus(onOld, "FILLED", () -> h.quote(old, "30.30", "30.40")).getString("fillPrice"))
      .isEqualTo("30.40");
  }
}
