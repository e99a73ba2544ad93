package trader.portfolio.contract;

import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;

/**
 * An order a portfolio placed (and reserved for), as published on {@link #TOPIC} for the broker (envelope type
 * {@link #TYPE}; the topic also carries {@link CancelRequest}s). Prices are decimal
 * strings; {@code limitPrice}, {@code stopPrice} are null when the type has none, {@code reservePrice} (the most a buy
 * may pay per share) is null for sells.
 */
public record PlacedOrder(String orderId, String portfolioId, String symbol, String side, long quantity, String type,
                          BigDecimal limitPrice, BigDecimal stopPrice, String timeInForce, BigDecimal reservePrice) {

  /** Topic name (before the installation's prefix). */
  public static final String TOPIC = "portfolio.orders";
  /** The envelope type of a placement on {@link #TOPIC}. */
  public static final String TYPE = "portfolio.order-placed";

  public JsonObject toJson() {
    return new JsonObject().put("orderId", orderId).put("portfolioId", portfolioId).put("symbol", symbol)
      .put("side", side).put("quantity", quantity).put("type", type).put("limitPrice", string(limitPrice))
      .put("stopPrice", string(stopPrice)).put("timeInForce", timeInForce).put("reservePrice", string(reservePrice));
  }

  public static PlacedOrder fromJson(JsonObject j) {
    return new PlacedOrder(j.getString("orderId"), j.getString("portfolioId"), j.getString("symbol"),
      j.getString("side"), j.getLong("quantity"), j.getString("type"), decimal(j.getString("limitPrice")),
      decimal(j.getString("stopPrice")), j.getString("timeInForce"), decimal(j.getString("reservePrice")));
  }

  private static String string(BigDecimal d) {
    return d == null ? null : d.toPlainString();
  }

  private static BigDecimal decimal(String s) {
    return s == null ? null : new BigDecimal(s);
  }
}
