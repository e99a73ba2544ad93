package trader.broker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import trader.quotes.Listing;
import trader.quotes.MarketSimulator;
import trader.quotes.Quote;
import trader.quotes.SimulationOptions;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * Benchmarks the order books: {@code --orders} resting orders (limits, stops and stop-limits on both sides, within a
 * few percent of the price) over {@code --symbols} simulated symbols, then market ticks, each a quote for every
 * symbol. Measures the time the books take per tick (every quote of the tick through {@link OrderBooks#onQuote}),
 * after a warm-up, with {@link System#nanoTime}; quotes are simulated and executed orders replaced (keeping the
 * book full) outside the measured time. Single-threaded, as the books are used.
 */
@Command(name = "orderbook", mixinStandardHelpOptions = true,
  description = "Order books: time per market tick over many resting orders.")
public final class OrderBookBench implements Callable<Integer> {

  private static final Instant START = Instant.parse("2025-03-03T14:30:00Z");

  @Option(names = "--orders", defaultValue = "100000", description = "Resting orders (default: ${DEFAULT-VALUE}).")
  int orders;

  @Option(names = "--symbols", defaultValue = "50", description = "Symbols (default: ${DEFAULT-VALUE}).")
  int symbols;

  @Option(names = "--ticks", defaultValue = "20000", description = "Measured ticks (default: ${DEFAULT-VALUE}).")
  int ticks;

  @Option(names = "--warmup", defaultValue = "10000", description = "Warm-up ticks, not measured (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--seconds-per-tick", defaultValue = "60",
    description = "Simulated trading seconds per tick; more moves prices further (default: ${DEFAULT-VALUE}).")
  double secondsPerTick;

  @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--json", description = "Print one JSON object instead of a table.")
  boolean json;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (orders < 1 || symbols < 1 || ticks < 1 || warmup < 0 || !(secondsPerTick > 0)) {
      throw new IllegalArgumentException("--orders, --symbols, --ticks and --seconds-per-tick must be positive");
    }
    Random random = new Random(seed);
    MarketSimulator market = new MarketSimulator(listings(random),
      new SimulationOptions(seed, 0, 5, 0, secondsPerTick), START);
    Map<String, Quote> latest = new HashMap<>();
    market.latest().forEach(q -> latest.put(q.symbol(), q));
    OrderBooks books = new OrderBooks();
    OrderMaker maker = new OrderMaker(random);
    List<Quote> initial = market.latest();
    for (int i = 0; i < orders; i++) {
      books.add(maker.resting(initial.get(random.nextInt(initial.size()))));
    }

    long[] nanos = new long[ticks];
    long quotes = 0;
    long fills = 0;
    long triggers = 0;
    List<OrderDetails> executed = new ArrayList<>();
    for (int t = 0; t < warmup + ticks; t++) {
      List<Quote> tick = market.tick(START.plusSeconds(t + 1));
      int triggered = 0;
      long began = System.nanoTime();
      for (Quote q : tick) {
        for (BookEvent e : books.onQuote(q)) {
          switch (e) {
            case BookEvent.Filled f -> executed.add(f.order());
            case BookEvent.Triggered tr -> triggered++;
          }
        }
      }
      long took = System.nanoTime() - began;
      if (t >= warmup) {
        nanos[t - warmup] = took;
        quotes += tick.size();
        fills += executed.size();
        triggers += triggered;
      }
      tick.forEach(q -> latest.put(q.symbol(), q));
      for (OrderDetails done : executed) { // keep the book full: a new order for each one executed
        books.add(maker.resting(latest.get(done.symbol())));
      }
      executed.clear();
    }
    print(result(nanos, quotes, fills, triggers, books.size()));
    return 0;
  }

  /** Simulated symbols priced from 10 to 1,000 (log-uniform) with 15 % to 60 % volatility. */
  private List<Listing> listings(Random random) {
    List<Listing> listings = new ArrayList<>();
    for (int i = 0; i < symbols; i++) {
      BigDecimal price = BigDecimal.valueOf(10 * Math.pow(100, random.nextDouble())).setScale(2, RoundingMode.HALF_EVEN);
      listings.add(new Listing("SYM%03d".formatted(i), "Bench company " + i, price, 0.15 + 0.45 * random.nextDouble()));
    }
    return listings;
  }

  private Map<String, Object> result(long[] nanos, long quotes, long fills, long triggers, int resting) {
    long total = Arrays.stream(nanos).sum();
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("restingOrders", orders);
    r.put("restingAtEnd", resting);
    r.put("symbols", symbols);
    r.put("ticks", ticks);
    r.put("warmupTicks", warmup);
    r.put("quotes", quotes);
    r.put("meanMicrosPerTick", micros(total / (double) ticks));
    r.put("p50MicrosPerTick", micros(sorted[(int) (ticks * 0.50)]));
    r.put("p99MicrosPerTick", micros(sorted[Math.min(ticks - 1, (int) (ticks * 0.99))]));
    r.put("maxMicrosPerTick", micros(sorted[ticks - 1]));
    r.put("meanMicrosPerQuote", micros(total / (double) quotes));
    r.put("ticksPerSecond", Math.round(ticks / (total / 1e9)));
    r.put("fillsPerTick", Math.round(fills * 100.0 / ticks) / 100.0);
    r.put("triggersPerTick", Math.round(triggers * 100.0 / ticks) / 100.0);
    return r;
  }

  private static double micros(double nanos) {
    return Math.round(nanos / 10.0) / 100.0;
  }

  private void print(Map<String, Object> r) throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      ObjectMapper mapper = JsonMapper.builder().build();
      out.println(mapper.writeValueAsString(r));
    } else {
      out.printf("Order books: %,d resting orders over %d symbols, %,d ticks measured after %,d warm-up%n",
        r.get("restingOrders"), r.get("symbols"), r.get("ticks"), r.get("warmupTicks"));
      out.printf("%-26s %s%n", "measure", "result");
      out.printf("%-26s %.2f µs%n", "time per tick, mean", r.get("meanMicrosPerTick"));
      out.printf("%-26s %.2f µs%n", "time per tick, p50", r.get("p50MicrosPerTick"));
      out.printf("%-26s %.2f µs%n", "time per tick, p99", r.get("p99MicrosPerTick"));
      out.printf("%-26s %.2f µs%n", "time per tick, max", r.get("maxMicrosPerTick"));
      out.printf("%-26s %.3f µs%n", "time per quote, mean", r.get("meanMicrosPerQuote"));
      out.printf("%-26s %,d%n", "ticks per second", r.get("ticksPerSecond"));
      out.printf("%-26s %.2f fills, %.2f triggers%n", "executions per tick", r.get("fillsPerTick"),
        r.get("triggersPerTick"));
    }
    out.flush();
  }

  /** Random resting orders near a quote: limits and stops on both sides, 0.05 % to 5 % away, never marketable. */
  private static final class OrderMaker {
    private static final BigDecimal CENT = new BigDecimal("0.01");
    private static final BigDecimal COLLAR = new BigDecimal("1.10");
    private final Random random;

    OrderMaker(Random random) {
      this.random = random;
    }

    OrderDetails resting(Quote q) {
      Side side = random.nextBoolean() ? Side.BUY : Side.SELL;
      int kind = random.nextInt(10);
      OrderType type = kind < 4 ? OrderType.LIMIT : kind < 7 ? OrderType.STOP : OrderType.STOP_LIMIT;
      BigDecimal away = away(q.last(), 0.0005, 0.05);
      // limits wait on the passive side of the market, stops on the other
      boolean above = (side == Side.BUY) == type.stopped();
      BigDecimal trigger = above ? q.ask().add(away) : q.bid().subtract(away).max(CENT);
      BigDecimal limit = null;
      BigDecimal stop = null;
      switch (type) {
        case LIMIT -> limit = trigger;
        case STOP -> stop = trigger;
        case STOP_LIMIT -> {
          stop = trigger;
          BigDecimal slack = away(trigger, 0, 0.005);
          limit = side == Side.BUY ? trigger.add(slack) : trigger.subtract(slack).max(CENT);
        }
        case MARKET -> throw new IllegalStateException("market orders do not rest");
      }
      BigDecimal reserve = side == Side.BUY
        ? (limit != null ? limit : stop).max(q.ask()).multiply(COLLAR).setScale(2, RoundingMode.CEILING) : null;
      return new OrderDetails(new UUID(random.nextLong(), random.nextLong()).toString(), "bench", q.symbol(), side,
        1 + random.nextInt(100), type, limit, stop, random.nextBoolean() ? TimeInForce.DAY : TimeInForce.GTC,
        reserve);
    }

    /** Between {@code min} and {@code max} of {@code price}, in cents, at least one cent. */
    private BigDecimal away(BigDecimal price, double min, double max) {
      double fraction = min + (max - min) * random.nextDouble();
      return price.multiply(BigDecimal.valueOf(fraction)).setScale(2, RoundingMode.HALF_EVEN).max(CENT);
    }
  }
}
