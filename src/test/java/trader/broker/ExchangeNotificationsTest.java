package trader.broker;

import io.vertx.core.eventbus.DeliveryContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.broker.OrdersHarness.Portfolio;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static trader.broker.OrdersHarness.order;
import static trader.broker.OrdersHarness.until;

/**
 * The exchange's book is fed by event-bus announcements, which are best-effort: with every one of them lost, orders
 * still reach the book from the durable read side within seconds, so nothing accepted is left unworked.
 */
class ExchangeNotificationsTest {

  @RegisterExtension
  static final OrdersHarness h = new OrdersHarness();

  private final AtomicInteger dropped = new AtomicInteger();
  private volatile boolean dropping;

  @AfterEach
  void stopDropping() {
    dropping = false;
  }

  /** Drops every announcement to the exchange, as a lossy event bus would, while {@link #dropping}. */
  private void dropAnnouncements() {
    if (dropped.get() == 0 && !dropping) {
      h.node.vertx().eventBus().addOutboundInterceptor((DeliveryContext<Object> delivery) -> {
        String address = delivery.message().address();
        if (dropping && (address.equals(BrokerOrders.CHANGES) || address.equals(Exchange.ACCEPTED))) {
          dropped.incrementAndGet();
          return; // not passed on: lost
        }
        delivery.next();
      });
    }
    dropping = true;
  }

  @Test
  void ordersWhoseAnnouncementsAreLostAreWorkedFromTheReadSide() {
    Portfolio p = h.funded("1000.00");
    String sym = OrdersHarness.symbol();
    h.awaitQuoted(p, sym, () -> h.quote(sym, "49.90", "50.00"));
    dropAnnouncements();

    String market = p.placed(order(sym, "BUY", 2, "MARKET", "DAY"));
    String limit = p.placed(order(sym, "BUY", 3, "LIMIT", "GTC").put("limitPrice", "45.00"));
    until("the broker has both", () -> "OPEN".equals(h.brokerStatus(limit)) && h.brokerStatus(market) != null,
      () -> { });

    // the market order is worked at the next quote, the limit one once the price reaches it
    p.awaitStatus(market, "FILLED", () -> h.quote(sym, "49.90", "50.00"));
    p.awaitStatus(limit, "FILLED", () -> h.quote(sym, "44.90", "45.00"));
    assertThat(dropped.get()).as("announcements lost").isGreaterThanOrEqualTo(4);
    OrdersHarness.awaitSettled(p, "765.00");
  }
}
