package trader.portfolio;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;

/** The JSON of a portfolio view, as the API shows it: amounts as strings with two decimals. */
final class PortfolioJson {

  private PortfolioJson() {
  }

  static JsonObject view(PortfolioState.Opened p) {
    JsonArray holdings = new JsonArray();
    p.holdings().forEach((symbol, h) -> holdings.add(new JsonObject().put("symbol", symbol).put("shares", h.shares())
      .put("reservedShares", h.reservedShares()).put("costBasis", money(h.costBasis()))));
    JsonArray orders = new JsonArray();
    p.openOrders().values().forEach(o -> orders.add(new JsonObject().put("orderId", o.orderId())
      .put("symbol", o.symbol()).put("side", o.side().name()).put("quantity", o.quantity()).put("type", o.type().name())
      .put("limitPrice", o.limitPrice() == null ? null : money(o.limitPrice()))
      .put("stopPrice", o.stopPrice() == null ? null : money(o.stopPrice()))
      .put("timeInForce", o.timeInForce().name()).put("reservedCash", money(o.reservedCash()))
      .put("reservedShares", o.reservedShares())));
    return new JsonObject().put("portfolioId", p.portfolioId()).put("name", p.name())
      .put("status", p.closed() ? "CLOSED" : "OPEN")
      .put("cash", money(p.cash())).put("reservedCash", money(p.reservedCash()))
      .put("availableCash", money(p.availableCash()))
      .put("holdings", holdings).put("openOrders", orders);
  }

  private static String money(BigDecimal amount) {
    return amount.setScale(2).toPlainString();
  }
}
