package trader.quotes;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class CandlesTest {

  private static final Instant MINUTE = Instant.parse("2025-03-03T14:30:00Z");

  private static Quote quote(String symbol, int second, String last) {
    BigDecimal price = new BigDecimal(last);
    return new Quote(symbol, price.subtract(new BigDecimal("0.01")), price.add(new BigDecimal("0.01")), price,
      MINUTE.plusSeconds(second), false);
  }

  private static BigDecimal p(String s) {
    return new BigDecimal(s);
  }

  @Test
  void aMinuteOfQuotesMakesOneCandleClosedByTheNextMinute() {
    Candles candles = new Candles(10);
    assertThat(candles.add(quote("AAPL", 0, "10.00"))).isEmpty();
    assertThat(candles.add(quote("AAPL", 10, "10.50"))).isEmpty();
    assertThat(candles.add(quote("AAPL", 20, "9.80"))).isEmpty();
    assertThat(candles.add(quote("AAPL", 59, "10.20"))).isEmpty();
    assertThat(candles.current("AAPL")).contains(
      new Candle("AAPL", MINUTE, p("10.00"), p("10.50"), p("9.80"), p("10.20"), 4));

    Optional<Candle> closed = candles.add(quote("AAPL", 60, "10.30"));
    assertThat(closed).contains(new Candle("AAPL", MINUTE, p("10.00"), p("10.50"), p("9.80"), p("10.20"), 4));
    assertThat(candles.current("AAPL")).contains(
      new Candle("AAPL", MINUTE.plusSeconds(60), p("10.30"), p("10.30"), p("10.30"), p("10.30"), 1));
    assertThat(candles.closed("AAPL")).containsExactly(closed.orElseThrow());
  }

  @Test
  void symbolsHaveTheirOwnCandlesAndMinutesWithoutQuotesHaveNone() {
    Candles candles = new Candles(10);
    candles.add(quote("AAPL", 5, "10.00"));
    candles.add(quote("MSFT", 6, "400.00"));
    Optional<Candle> closed = candles.add(quote("AAPL", 185, "11.00")); // three minutes later
    assertThat(closed.orElseThrow().start()).isEqualTo(MINUTE);
    assertThat(candles.current("AAPL").orElseThrow().start()).isEqualTo(MINUTE.plusSeconds(180));
    assertThat(candles.closed("AAPL")).hasSize(1);
    assertThat(candles.current("MSFT").orElseThrow().close()).isEqualTo(p("400.00"));
    assertThat(candles.closed("MSFT")).isEmpty();
  }

  @Test
  void staleAndLateQuotesAreIgnored() {
    Candles candles = new Candles(10);
    candles.add(quote("AAPL", 65, "10.00"));
    candles.add(quote("AAPL", 70, "99.00").asStale());
    candles.add(quote("AAPL", 30, "1.00")); // belongs to a minute already past
    assertThat(candles.current("AAPL")).contains(
      new Candle("AAPL", MINUTE.plusSeconds(60), p("10.00"), p("10.00"), p("10.00"), p("10.00"), 1));
  }

  @Test
  void closeBeforeClosesCandlesOfSymbolsThatStoppedQuoting() {
    Candles candles = new Candles(10);
    candles.add(quote("AAPL", 5, "10.00"));
    candles.add(quote("MSFT", 65, "400.00"));
    assertThat(candles.closeBefore(MINUTE.plusSeconds(59))).isEmpty();
    assertThat(candles.closeBefore(MINUTE.plusSeconds(60))).extracting(Candle::symbol).containsExactly("AAPL");
    assertThat(candles.current("AAPL")).isEmpty();
    assertThat(candles.current("MSFT")).isPresent();
    assertThat(candles.closed("AAPL")).hasSize(1);
  }

  @Test
  void keepsOnlyTheLatestClosedCandles() {
    Candles candles = new Candles(3);
    for (int minute = 0; minute < 6; minute++) {
      candles.add(quote("AAPL", minute * 60, minute + ".00"));
    }
    assertThat(candles.closed("AAPL")).extracting(Candle::open)
      .containsExactly(p("2.00"), p("3.00"), p("4.00"));
  }
}
