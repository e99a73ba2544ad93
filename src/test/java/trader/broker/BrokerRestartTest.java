package trader.broker;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.broker.OrdersHarness.Portfolio;

import java.time.Duration;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static trader.broker.OrdersHarness.holding;
import static trader.broker.OrdersHarness.order;
import static trader.broker.OrdersHarness.until;

/**
 * The broker across a restart of the only node: resting orders come back from the {@code broker_orders} read side
 * when the new node takes the exchange lock, an order placed just before the stop is not left open forever, and the
 * new exchange executes nothing at the prices from before the restart: an order waits for a quote that arrived since
 * (the quotes' maximum age is long here, so only that rule can hold it back).
 */
class BrokerRestartTest {

  @RegisterExtension
  static final OrdersHarness h = new OrdersHarness().with("orders.quote-max-age-ms", 600_000);

  @Test
  void aRestingLimitBuySurvivesARestartAndAnOrderInFlightEnds() {
    Portfolio resting = h.funded("1000.00");
    Portfolio inFlight = h.funded("1000.00");
    Portfolio afterRestart = h.funded("1000.00");
    String sym = OrdersHarness.symbol();
    h.quote(sym, "49.90", "50.00");
    until("the quote replica", () -> resting.place(order(sym, "BUY", 0, "LIMIT", "GTC")).statusCode() == 400
      && resting.place(order(sym, "SELL", 1, "MARKET", "GTC")).statusCode() == 409
      && resting.place(order(sym, "SELL", 1, "MARKET", "GTC")).bodyAsJsonObject().getString("detail")
      .contains("shares"), () -> { });
    String limit = resting.placed(order(sym, "BUY", 5, "LIMIT", "GTC").put("limitPrice", "48.00"));
    until("the broker has the order", () -> "OPEN".equals(h.brokerStatus(limit)), () -> { });
    until("reservation", () -> "240.00".equals(resting.view().getString("reservedCash")), () -> { });
    // placed just before the stop: the broker may or may not have taken it, or filled it, by then
    String market = inFlight.placed(order(sym, "BUY", 2, "MARKET", "GTC"));

    h.stopNode();
    h.startNode();

    // no quote since the restart: a market order waits, although the last one before it is still young enough
    h.awaitQuoted(afterRestart, sym, () -> { });
    String waits = afterRestart.placed(order(sym, "BUY", 2, "MARKET", "GTC"));
    until("the broker has the order", () -> h.brokerStatus(waits) != null, () -> { });
    assertThat(h.brokerStatus(waits)).isEqualTo("OPEN");

    // the ask reaches the limit on the new node: it fills there, and the portfolio settles exactly
    JsonObject filled = resting.awaitStatus(limit, "FILLED", () -> h.quote(sym, "47.40", "47.50"));
    assertThat(filled.getString("fillPrice")).isEqualTo("47.50");
    until("settled", () -> "762.50".equals(resting.view().getString("cash"))
      && "0.00".equals(resting.view().getString("reservedCash")), () -> { });
    JsonObject view = resting.view();
    assertThat(holding(view, sym).getLong("shares")).isEqualTo(5);
    assertThat(holding(view, sym).getString("costBasis")).isEqualTo("237.50");
    assertThat(afterRestart.awaitStatus(waits, "FILLED", () -> h.quote(sym, "47.40", "47.50")).getString("fillPrice"))
      .as("filled at the first quote after the restart, not at the one before").isEqualTo("47.50");

    // the order in flight reaches a final state (a market order does not rest)
    until("the order in flight ends", Duration.ofSeconds(30),
      () -> Set.of("FILLED", "REJECTED", "CANCELLED", "EXPIRED").contains(inFlight.order(market).getString("status")),
      () -> h.quote(sym, "47.40", "47.50"));
    JsonObject ended = inFlight.order(market);
    until("in-flight reservation released", () -> "0.00".equals(inFlight.view().getString("reservedCash")), () -> { });
    if ("FILLED".equals(ended.getString("status"))) {
      // 2 × its fill price (50.00 before the stop, 47.50 after)
      String cost = ended.getString("fillPrice").equals("50.00") ? "900.00" : "905.00";
      until("in-flight settled", () -> cost.equals(inFlight.view().getString("cash")), () -> { });
      assertThat(holding(inFlight.view(), sym).getLong("shares")).isEqualTo(2);
    } else {
      assertThat(inFlight.view().getString("cash")).isEqualTo("1000.00");
    }
  }
}
