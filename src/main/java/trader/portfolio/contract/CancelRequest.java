package trader.portfolio.contract;

import io.vertx.core.json.JsonObject;

/**
 * A trader's request to cancel an open order, as published on {@link PlacedOrder#TOPIC} after the order's placement
 * (same key, the portfolio's stream, so the broker always sees the placement first). The broker ends the order as
 * cancelled unless it ended otherwise first; it keeps a cancel that arrives for an order it has not got yet.
 *
 * <pre>{"orderId": "...", "portfolioId": "...", "reason": "cancelled by the trader"}</pre>
 */
public record CancelRequest(String orderId, String portfolioId, String reason) {

  /** The envelope type of a cancel request on {@link PlacedOrder#TOPIC}. */
  public static final String TYPE = "portfolio.order-cancel-requested";

  public JsonObject toJson() {
    return new JsonObject().put("orderId", orderId).put("portfolioId", portfolioId).put("reason", reason);
  }

  /** Parses a cancel request; throws {@link IllegalArgumentException} for anything else (a dead letter). */
  public static CancelRequest fromJson(JsonObject j) {
    CancelRequest request = new CancelRequest(j.getString("orderId"), j.getString("portfolioId"),
      j.getString("reason"));
    if (request.orderId() == null || request.portfolioId() == null) {
      throw new IllegalArgumentException("Not a cancel request: " + j.encode());
    }
    return request;
  }
}
