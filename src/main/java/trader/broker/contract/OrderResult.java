package trader.broker.contract;

import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * How the broker finished an order, as published on {@link #TOPIC} for the portfolio: {@code outcome} FILLED (with
 * {@code price}, {@code quantity}, {@code time}) or REJECTED, CANCELLED, EXPIRED (with {@code reason}).
 */
public record OrderResult(String orderId, String portfolioId, String outcome, BigDecimal price, Long quantity,
                          Instant time, String reason) {

  /** Topic name (before the installation's prefix). */
  public static final String TOPIC = "broker.order-results";

  public JsonObject toJson() {
    return new JsonObject().put("orderId", orderId).put("portfolioId", portfolioId).put("outcome", outcome)
      .put("price", price == null ? null : price.toPlainString()).put("quantity", quantity)
      .put("time", time == null ? null : time.toString()).put("reason", reason);
  }

  public static OrderResult fromJson(JsonObject j) {
    String price = j.getString("price");
    String time = j.getString("time");
    return new OrderResult(j.getString("orderId"), j.getString("portfolioId"), j.getString("outcome"),
      price == null ? null : new BigDecimal(price), j.getLong("quantity"), time == null ? null : Instant.parse(time),
      j.getString("reason"));
  }
}
