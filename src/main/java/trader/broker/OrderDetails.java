package trader.broker;

import java.math.BigDecimal;

/**
 * What an order asks for, as placed by a portfolio. A plain carrier: {@link PlacementRules} says whether it is valid.
 *
 * @param quantity     whole shares; an order is always filled whole
 * @param limitPrice   for LIMIT and STOP_LIMIT orders, else null
 * @param stopPrice    for STOP and STOP_LIMIT orders, else null
 * @param reservePrice for buys, the price per share the portfolio reserved cash for: a buy never fills above it
 */
public record OrderDetails(String orderId, String portfolioId, String symbol, Side side, long quantity,
                           OrderType type, BigDecimal limitPrice, BigDecimal stopPrice, TimeInForce timeInForce,
                           BigDecimal reservePrice) {
}
