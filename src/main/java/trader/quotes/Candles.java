package trader.quotes;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One-minute candles of every symbol's last price, built from quotes as they come. A quote of a later minute closes
 * the symbol's open candle; {@link #closeBefore} closes the candles of symbols that stopped quoting. Minutes without
 * quotes have no candle (nothing is invented). Stale quotes and quotes older than the open candle are ignored.
 * The latest {@code keep} closed candles per symbol are kept, oldest first. Not thread-safe.
 */
public final class Candles {

  private final int keep;
  private final Map<String, Candle> open = new HashMap<>();
  private final Map<String, ArrayDeque<Candle>> closed = new HashMap<>();

  /** Keeps up to {@code keep} closed candles per symbol. */
  public Candles(int keep) {
    if (keep < 1) {
      throw new IllegalArgumentException("Keep at least one candle: " + keep);
    }
    this.keep = keep;
  }

  /** Adds {@code quote} to its symbol's candle; returns the candle it closed, if it started a new minute. */
  public Optional<Candle> add(Quote quote) {
    if (quote.stale()) {
      return Optional.empty();
    }
    Instant minute = quote.time().truncatedTo(ChronoUnit.MINUTES);
    Candle current = open.get(quote.symbol());
    if (current == null) {
      open.put(quote.symbol(), Candle.of(minute, quote));
      return Optional.empty();
    }
    int order = minute.compareTo(current.start());
    if (order < 0) {
      return Optional.empty(); // its minute is already closed
    }
    if (order == 0) {
      open.put(quote.symbol(), current.with(quote.last()));
      return Optional.empty();
    }
    close(current);
    open.put(quote.symbol(), Candle.of(minute, quote));
    return Optional.of(current);
  }

  /** Closes the open candles whose minute ended at or before {@code now}; returns them. */
  public List<Candle> closeBefore(Instant now) {
    List<Candle> done = new ArrayList<>();
    open.values().removeIf(c -> {
      boolean ended = !c.start().plus(1, ChronoUnit.MINUTES).isAfter(now);
      if (ended) {
        close(c);
        done.add(c);
      }
      return ended;
    });
    return done;
  }

  /** The open candle of {@code symbol}, if it has one. */
  public Optional<Candle> current(String symbol) {
    return Optional.ofNullable(open.get(symbol));
  }

  /** The kept closed candles of {@code symbol}, oldest first. */
  public List<Candle> closed(String symbol) {
    ArrayDeque<Candle> candles = closed.get(symbol);
    return candles == null ? List.of() : List.copyOf(candles);
  }

  private void close(Candle candle) {
    ArrayDeque<Candle> candles = closed.computeIfAbsent(candle.symbol(), s -> new ArrayDeque<>());
    if (candles.size() == keep) {
      candles.removeFirst();
    }
    candles.addLast(candle);
  }
}
