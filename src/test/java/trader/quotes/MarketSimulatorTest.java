package trader.quotes;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class MarketSimulatorTest {

  private static final Instant T0 = Instant.parse("2025-03-03T14:30:00Z");
  private static final BigDecimal CENT = new BigDecimal("0.01");

  private static List<Quote> run(List<Listing> listings, SimulationOptions options, int ticks) {
    MarketSimulator market = new MarketSimulator(listings, options, T0);
    List<Quote> all = new ArrayList<>();
    for (int i = 1; i <= ticks; i++) {
      all.addAll(market.tick(T0.plusSeconds(i)));
    }
    return all;
  }

  @Test
  void theSameSeedGivesTheSameQuotesAndAnotherSeedOthers() {
    List<Listing> listings = SymbolsFile.readDefault();
    SimulationOptions options = SimulationOptions.defaults().withSeed(42).withSpeedup(60);
    List<Quote> first = run(listings, options, 500);
    assertThat(first).hasSize(500 * listings.size());
    assertThat(run(listings, options, 500)).isEqualTo(first);
    assertThat(run(listings, options.withSeed(43), 500)).isNotEqualTo(first);
  }

  @Test
  void everyQuoteIsInCentsWithASpreadOfAtLeastOneCent() {
    List<Listing> listings = List.of(new Listing("PENNY", "Penny Co", new BigDecimal("0.05"), 1.5),
      new Listing("LOW", "Low Co", new BigDecimal("3.17"), 0.6),
      new Listing("HIGH", "High Co", new BigDecimal("845.20"), 0.3));
    for (int bps : new int[] {0, 1, 5, 100}) {
      for (Quote q : run(listings, SimulationOptions.defaults().withSpreadBps(bps).withSpeedup(3600), 2000)) {
        assertThat(q.bid().scale()).isEqualTo(2);
        assertThat(q.ask().scale()).isEqualTo(2);
        assertThat(q.last().scale()).isEqualTo(2);
        assertThat(q.ask().subtract(q.bid())).isGreaterThanOrEqualTo(CENT);
        assertThat(q.bid()).isGreaterThanOrEqualTo(CENT);
        assertThat(q.last()).isBetween(q.bid(), q.ask());
        assertThat(q.stale()).isFalse();
      }
    }
  }

  @Test
  void theSpreadIsItsBasisPointsOfTheMidRoundedToCents() {
    Listing listing = new Listing("X", "X Co", new BigDecimal("200.00"), 0.2);
    Quote q = new MarketSimulator(List.of(listing), SimulationOptions.defaults().withSpreadBps(10), T0)
      .latest().getFirst();
    assertThat(q.bid()).isEqualTo(new BigDecimal("199.90"));
    assertThat(q.ask()).isEqualTo(new BigDecimal("200.10"));
    assertThat(q.last()).isEqualTo(new BigDecimal("200.00"));
    Quote narrow = new MarketSimulator(List.of(listing), SimulationOptions.defaults().withSpreadBps(0), T0)
      .latest().getFirst();
    assertThat(narrow.ask().subtract(narrow.bid())).isEqualTo(CENT); // at least one tick
  }

  @Test
  void aConfiguredNumberOfSymbolsMovesPerTickChosenAtRandom() {
    List<Listing> listings = SymbolsFile.readDefault();
    MarketSimulator market = new MarketSimulator(listings, SimulationOptions.defaults().withSymbolsPerTick(5), T0);
    Set<String> seen = new HashSet<>();
    for (int i = 1; i <= 100; i++) {
      List<Quote> quotes = market.tick(T0.plusSeconds(i));
      assertThat(quotes).hasSize(5);
      assertThat(quotes).extracting(Quote::symbol).doesNotHaveDuplicates();
      quotes.forEach(q -> seen.add(q.symbol()));
    }
    assertThat(seen).hasSize(listings.size());
  }

  @Test
  void noTimeNoMove() {
    Listing listing = new Listing("X", "X Co", new BigDecimal("50.00"), 0.9);
    MarketSimulator market = new MarketSimulator(List.of(listing), SimulationOptions.defaults(), T0);
    Quote before = market.latest().getFirst();
    Quote after = market.tick(T0).getFirst();
    assertThat(after).isEqualTo(before);
  }

  @Test
  void driftCompoundsOverATradingYear() {
    Listing quiet = new Listing("Q", "Quiet Co", new BigDecimal("100.00"), 0.0001);
    MarketSimulator market = new MarketSimulator(List.of(quiet), SimulationOptions.defaults().withDrift(1.0), T0);
    Duration tradingYear = Duration.ofSeconds((long) MarketSimulator.TRADING_YEAR_SECONDS);
    Quote q = market.tick(T0.plus(tradingYear)).getFirst();
    assertThat(q.last().doubleValue()).isCloseTo(100 * Math.E, within(0.2));
  }

  @Test
  void realisedVolatilityMatchesTheListing() {
    Listing listing = new Listing("V", "Vol Co", new BigDecimal("5000.00"), 0.30);
    SimulationOptions options = SimulationOptions.defaults().withDrift(0).withSpeedup(600).withSeed(7);
    MarketSimulator market = new MarketSimulator(List.of(listing), options, T0);
    int ticks = 20_000;
    double previous = mid(market.latest().getFirst());
    double sum = 0;
    double sumSquares = 0;
    for (int i = 1; i <= ticks; i++) {
      double mid = mid(market.tick(T0.plusSeconds(i)).getFirst());
      double r = Math.log(mid / previous);
      sum += r;
      sumSquares += r * r;
      previous = mid;
    }
    double variance = sumSquares / ticks - (sum / ticks) * (sum / ticks);
    double dtYears = 600 / MarketSimulator.TRADING_YEAR_SECONDS;
    assertThat(Math.sqrt(variance / dtYears)).isCloseTo(0.30, within(0.015));
  }

  private static double mid(Quote q) {
    return q.bid().add(q.ask()).divide(BigDecimal.TWO, 3, RoundingMode.HALF_EVEN).doubleValue();
  }
}
