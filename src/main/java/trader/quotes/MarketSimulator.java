package trader.quotes;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A simulated market: each symbol's mid price follows a geometric Brownian motion,
 * {@code S' = S · exp((μ − σ²/2)·dt + σ·√dt·Z)}, with the drift μ of the {@link SimulationOptions}, the volatility σ
 * of its {@link Listing}, {@code dt} the trading time since the symbol last moved (in trading years of 252 days of
 * 6.5 hours) and Z a standard normal draw.
 *
 * <p><b>Money is decimal where it leaves:</b> the random walk of the mid price is computed in {@code double} (it is a
 * simulation, not an amount), but every price in a {@link Quote} is a {@link BigDecimal} rounded HALF_EVEN to cents:
 * the mid is rounded first, the spread ({@code spreadBps} of the rounded mid, at least one cent) is applied in
 * decimal, {@code ask = bid + spread}, and {@code last} is the rounded mid kept within [bid, ask]. No price is below
 * one cent.
 *
 * <p><b>Deterministic:</b> one {@link Random} seeded from the options (whose algorithm the JDK specifies), so the
 * same seed, listings and sequence of tick times always give the same quotes. Not thread-safe; one owner ticks it.
 */
public final class MarketSimulator {

  /** 252 trading days of 6.5 hours. */
  static final double TRADING_YEAR_SECONDS = 252 * 6.5 * 3600;
  private static final BigDecimal CENT = new BigDecimal("0.01");
  private static final BigDecimal TWO = BigDecimal.valueOf(2);

  private final List<Listing> listings;
  private final SimulationOptions options;
  private final Random random;
  private final double[] mids;
  private final Instant[] movedAt;
  private final Quote[] latest;
  /** Symbol indexes, shuffled in part to pick a random subset per tick. */
  private final int[] picks;

  /** A market of {@code listings} at their start prices at {@code start}. */
  public MarketSimulator(List<Listing> listings, SimulationOptions options, Instant start) {
    if (listings.isEmpty()) {
      throw new IllegalArgumentException("A market needs at least one listing");
    }
    this.listings = List.copyOf(listings);
    this.options = options;
    this.random = new Random(options.seed());
    int n = listings.size();
    this.mids = new double[n];
    this.movedAt = new Instant[n];
    this.latest = new Quote[n];
    this.picks = new int[n];
    for (int i = 0; i < n; i++) {
      mids[i] = listings.get(i).startPrice().doubleValue();
      movedAt[i] = start;
      latest[i] = quote(i, start);
      picks[i] = i;
    }
  }

  /** The listings, in the order quotes are given. */
  public List<Listing> listings() {
    return listings;
  }

  /** The latest quote of every symbol, in listing order. */
  public List<Quote> latest() {
    return List.of(latest);
  }

  /**
   * Moves the market to {@code now}: the symbols picked for this tick (all, or {@code symbolsPerTick} at random)
   * move by the trading time since they last moved; returns their new quotes in listing order. A {@code now} at or
   * before a symbol's last move leaves its price where it is.
   */
  public List<Quote> tick(Instant now) {
    int n = listings.size();
    int count = options.symbolsPerTick() == 0 ? n : Math.min(options.symbolsPerTick(), n);
    int[] moving;
    if (count == n) {
      moving = picks.clone();
      Arrays.sort(moving);
    } else {
      for (int i = 0; i < count; i++) { // partial Fisher-Yates: the first `count` picks are a uniform subset
        int j = i + random.nextInt(n - i);
        int swap = picks[i];
        picks[i] = picks[j];
        picks[j] = swap;
      }
      moving = Arrays.copyOf(picks, count);
      Arrays.sort(moving);
    }
    List<Quote> quotes = new ArrayList<>(count);
    for (int i : moving) {
      move(i, now);
      latest[i] = quote(i, now);
      quotes.add(latest[i]);
    }
    return quotes;
  }

  private void move(int i, Instant now) {
    // drawn even when no time passed, so that the random stream does not depend on the tick times
    double z = random.nextGaussian();
    Duration elapsed = Duration.between(movedAt[i], now);
    if (elapsed.isNegative() || elapsed.isZero()) {
      return;
    }
    double dt = elapsed.toNanos() / 1e9 * options.speedup() / TRADING_YEAR_SECONDS;
    double sigma = listings.get(i).volatility();
    mids[i] *= Math.exp((options.drift() - sigma * sigma / 2) * dt + sigma * Math.sqrt(dt) * z);
    movedAt[i] = now;
  }

  private Quote quote(int i, Instant now) {
    BigDecimal mid = atLeastOneCent(BigDecimal.valueOf(mids[i]).setScale(2, RoundingMode.HALF_EVEN));
    BigDecimal spread = atLeastOneCent(mid.multiply(BigDecimal.valueOf(options.spreadBps())).movePointLeft(4)
      .setScale(2, RoundingMode.HALF_EVEN));
    BigDecimal bid = atLeastOneCent(mid.subtract(spread.divide(TWO)).setScale(2, RoundingMode.HALF_EVEN));
    BigDecimal ask = bid.add(spread);
    BigDecimal last = mid.max(bid).min(ask);
    return new Quote(listings.get(i).ticker(), bid, ask, last, now, false);
  }

  private static BigDecimal atLeastOneCent(BigDecimal price) {
    return price.compareTo(CENT) < 0 ? CENT : price;
  }
}
