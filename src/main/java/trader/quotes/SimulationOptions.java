package trader.quotes;

/**
 * How the simulated market moves.
 *
 * @param seed           the random seed: the same seed, listings and tick times give the same quotes
 * @param drift          annualised drift of every price, e.g. {@code 0.05} for +5 % a year on average
 * @param spreadBps      bid/ask spread in basis points of the mid price; never less than one cent
 * @param symbolsPerTick how many symbols move per tick, chosen at random; 0 or more than listed means all
 * @param speedup        simulated trading seconds per second of the clock passed to {@code tick}; 1 is real time
 */
public record SimulationOptions(long seed, double drift, int spreadBps, int symbolsPerTick, double speedup) {

  public SimulationOptions {
    if (!Double.isFinite(drift) || Math.abs(drift) > 10) {
      throw new IllegalArgumentException("The drift must be within [-10, 10]: " + drift);
    }
    if (spreadBps < 0 || spreadBps > 10_000) {
      throw new IllegalArgumentException("The spread must be within [0, 10000] basis points: " + spreadBps);
    }
    if (symbolsPerTick < 0) {
      throw new IllegalArgumentException("Symbols per tick must not be negative: " + symbolsPerTick);
    }
    if (!(speedup > 0) || !Double.isFinite(speedup)) {
      throw new IllegalArgumentException("The speed-up must be positive: " + speedup);
    }
  }

  /** Seed 1, 5 % drift, 5 bp spread, every symbol every tick, real time. */
  public static SimulationOptions defaults() {
    return new SimulationOptions(1, 0.05, 5, 0, 1);
  }

  public SimulationOptions withSeed(long seed) {
    return new SimulationOptions(seed, drift, spreadBps, symbolsPerTick, speedup);
  }

  public SimulationOptions withDrift(double drift) {
    return new SimulationOptions(seed, drift, spreadBps, symbolsPerTick, speedup);
  }

  public SimulationOptions withSpreadBps(int spreadBps) {
    return new SimulationOptions(seed, drift, spreadBps, symbolsPerTick, speedup);
  }

  public SimulationOptions withSymbolsPerTick(int symbolsPerTick) {
    return new SimulationOptions(seed, drift, spreadBps, symbolsPerTick, speedup);
  }

  public SimulationOptions withSpeedup(double speedup) {
    return new SimulationOptions(seed, drift, spreadBps, symbolsPerTick, speedup);
  }
}
