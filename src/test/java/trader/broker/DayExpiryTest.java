package trader.broker;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.broker.OrdersHarness.Portfolio;

import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static trader.broker.OrdersHarness.order;
import static trader.broker.OrdersHarness.until;

/**
 * At the session close ({@code orders.session-close}, here {@code HH:mm:ss} UTC a little ahead of the start) a resting
 * DAY order expires and its reservation is released, while a GTC order stays.
 */
class DayExpiryTest {

  @RegisterExtension
  static final OrdersHarness h = new OrdersHarness().with("orders.session-close",
    LocalTime.now(ZoneOffset.UTC).plusSeconds(25).truncatedTo(ChronoUnit.SECONDS)
      .format(DateTimeFormatter.ofPattern("HH:mm:ss")));

  @Test
  void aRestingDayOrderExpiresAtTheSessionCloseAndAGtcOrderStays() {
    Portfolio p = h.funded("1000.00");
    String sym = OrdersHarness.symbol();
    h.quote(sym, "29.90", "30.00");
    until("the quote replica", () -> p.place(order(sym, "BUY", 0, "LIMIT", "DAY")).statusCode() == 400
      && p.place(order(sym, "SELL", 1, "MARKET", "DAY")).statusCode() == 409
      && p.place(order(sym, "SELL", 1, "MARKET", "DAY")).bodyAsJsonObject().getString("detail").contains("shares"),
      () -> { });
    String day = p.placed(order(sym, "BUY", 10, "LIMIT", "DAY").put("limitPrice", "20.00"));
    String gtc = p.placed(order(sym, "BUY", 5, "LIMIT", "GTC").put("limitPrice", "25.00"));
    until("the broker has both", () -> "OPEN".equals(h.brokerStatus(day)) && "OPEN".equals(h.brokerStatus(gtc)),
      () -> { });
    until("reservations", () -> "325.00".equals(p.view().getString("reservedCash")), () -> { });

    until("the session close", Duration.ofSeconds(45), () -> "EXPIRED".equals(p.order(day).getString("status")),
      () -> { });
    assertThat(p.order(day).getString("reason")).isEqualTo("the session closed");
    until("released", () -> "125.00".equals(p.view().getString("reservedCash")), () -> { });
    assertThat(p.view().getString("cash")).isEqualTo("1000.00");
    assertThat(p.order(gtc).getString("status")).isEqualTo("OPEN");
    assertThat(h.brokerStatus(gtc)).isEqualTo("OPEN");
    // the GTC order still trades
    p.awaitStatus(gtc, "FILLED", () -> h.quote(sym, "24.90", "25.00"));
    until("settled", () -> "875.00".equals(p.view().getString("cash"))
      && "0.00".equals(p.view().getString("reservedCash")), () -> { });
  }
}
