package trader.portfolio;

import java.math.BigDecimal;

/**
 * The shares of one symbol a portfolio holds: how many, how many of them are reserved by open sell orders, and what
 * they cost in total (cost basis, average-cost method).
 */
public record Holding(long shares, long reservedShares, BigDecimal costBasis) {

  public static final Holding NONE = new Holding(0, 0, new BigDecimal("0.00"));

  /** The shares that a new sell order may still reserve. */
  public long unreservedShares() {
    return shares - reservedShares;
  }
}
