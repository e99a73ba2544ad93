package trader.broker;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;
import static trader.broker.Orders.T0;
import static trader.broker.Orders.p;
import static trader.broker.Orders.quote;

class OrderBooksTest {

  private final OrderBooks books = new OrderBooks();

  private static OrderDetails buyLimit(String id, String symbol, String limit, TimeInForce tif) {
    return new OrderDetails(id, "p1", symbol, Side.BUY, 5, OrderType.LIMIT, p(limit), null, tif, p(limit));
  }

  @Test
  void routesBySymbolAndCancelsByIdAlone() {
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

  @Test
  void anArrivingOrderExecutesAtOnceAgainstTheLatestQuoteOrWaitsWithoutOne() {
    OrderDetails marketable = buyLimit("1", "AAPL", "100.00", TimeInForce.GTC);
    OrderDetails away = buyLimit("2", "AAPL", "98.00", TimeInForce.GTC);
    OrderDetails noQuote = buyLimit("3", "MSFT", "400.00", TimeInForce.GTC);
    assertThat(books.addAt(marketable, quote("AAPL", "98.99", "99.00", 0)))
      .containsExactly(new BookEvent.Filled(marketable, new BigDecimal("99.00"), T0));
    assertThat(books.addAt(away, quote("AAPL", "98.99", "99.00", 0))).isEmpty();
    assertThat(books.addAt(noQuote, null)).isEmpty();
    assertThat(books.size()).isEqualTo(2);
    assertThat(books.cancel("1")).as("filled on arrival").isFalse();
    assertThat(books.cancel("2")).isTrue();
    assertThat(books.onQuote(quote("MSFT", "1.00", "1.01", 1)))
      .containsExactly(new BookEvent.Filled(noQuote, new BigDecimal("1.01"), T0.plusSeconds(1)));
    assertThat(books.size()).isZero();
  }
}
