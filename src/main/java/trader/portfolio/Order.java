package trader.portfolio;

import java.math.BigDecimal;

/**
 * An order as placed, with what the portfolio set aside for it until it ends: a buy reserves
 * {@code reservedCash} (quantity × reserve price), a sell reserves {@code reservedShares} (its quantity).
 * Prices are at scale 2; {@code limitPrice} and {@code stopPrice} are null when the type has none.
 */
public record Order(String orderId, String symbol, Side side, long quantity, OrderType type, BigDecimal limitPrice,
                    BigDecimal stopPrice, TimeInForce timeInForce, BigDecimal reservedCash, long reservedShares) {
}
