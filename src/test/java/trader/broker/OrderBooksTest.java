package trader.broker;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;
import static trader.broker.Orders.T0;
import static trader.broker.Orders.p;
import static trader.broker.Orders.quote;

class OrderBooksTest {

  private static OrderDetails buyLimit(String id, String symbol, String limit, TimeInForce tif) {
    return new OrderDetails(id, "p1", symbol, Side.BUY, 5, OrderType.LIMIT, p(limit), null, tif, p(limit));
  }

  @Test
  void routesBySymbolAndCancelsByIdAlone() {
    OrderBooks books = new OrderBooks();
    OrderDetails aapl = buyLimit("1", "AAPL", "100.00", TimeInForce.GTC);
    OrderDetails msft = buyLimit("2", "MSFT", "400.00", TimeInForce.DAY);
    OrderDetails msft2 = buyLimit("3", "MSFT", "390.00", TimeInForce.DAY);
    assertThat(books.add(aapl)).isTrue();
    assertThat(books.add(msft)).isTrue();
    assertThat(books.add(msft2)).isTrue();
    assertThat(books.add(aapl)).isFalse();
    assertThat(books.size()).isEqualTo(3);

    assertThat(books.onQuote(quote("MSFT", "399.00", "399.01", 0)))
      .containsExactly(new BookEvent.Filled(msft, new BigDecimal("399.01"), T0));
    assertThat(books.onQuote(quote("TSLA", "1.00", "1.01", 0))).isEmpty();
    assertThat(books.cancel("2")).as("already filled").isFalse();
    assertThat(books.cancel("1")).isTrue();
    assertThat(books.expireDay()).containsExactly(msft2);
    assertThat(books.size()).isZero();
  }
}
