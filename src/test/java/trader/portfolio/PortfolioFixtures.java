package trader.portfolio;

import trader.eventsourcing.entity.EntityFixture;
import trader.portfolio.PortfolioCommand.PlaceOrder;
import trader.portfolio.PortfolioEvent.CashDeposited;
import trader.portfolio.PortfolioEvent.OrderFilled;
import trader.portfolio.PortfolioEvent.OrderPlaced;
import trader.portfolio.PortfolioEvent.PortfolioOpened;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;

import static trader.portfolio.OrderType.LIMIT;
import static trader.portfolio.OrderType.MARKET;
import static trader.portfolio.Side.BUY;
import static trader.portfolio.Side.SELL;
import static trader.portfolio.TimeInForce.DAY;

/** Shorthands for the portfolio tests: money, the usual events and orders. */
final class PortfolioFixtures {

  static final String PORTFOLIO_ID = "portfolio-1";
  static final String OWNER = "alice-id";
  static final PortfolioOpened OPENED = new PortfolioOpened(PORTFOLIO_ID, OWNER, "Retirement");
  static final Instant FILLED_AT = Instant.parse("2025-03-14T15:30:00.123Z");

  private PortfolioFixtures() {
  }

  static EntityFixture<PortfolioCommand, PortfolioEvent, PortfolioState> portfolio() {
    return EntityFixture.of(new Portfolio());
  }

  static BigDecimal money(String amount) {
    return new BigDecimal(amount);
  }

  static CashDeposited deposited(String transferId, String amount) {
    return new CashDeposited(transferId, money(amount));
  }

  static PlaceOrder buyLimit(String orderId, String symbol, long quantity, String limit) {
    return new PlaceOrder(orderId, symbol, BUY, quantity, LIMIT, money(limit), null, DAY, null);
  }

  static PlaceOrder buyMarket(String orderId, String symbol, long quantity, String reservePrice) {
    return new PlaceOrder(orderId, symbol, BUY, quantity, MARKET, null, null, DAY, money(reservePrice));
  }

  static PlaceOrder sellMarket(String orderId, String symbol, long quantity) {
    return new PlaceOrder(orderId, symbol, SELL, quantity, MARKET, null, null, DAY, null);
  }

  /** The order a buy limit places, reserving quantity × limit. */
  static Order limitBuyOrder(String orderId, String symbol, long quantity, String limit, String reserved) {
    return new Order(orderId, symbol, BUY, quantity, LIMIT, money(limit), null, DAY, money(reserved), 0);
  }

  static Order marketBuyOrder(String orderId, String symbol, long quantity, String reserved) {
    return new Order(orderId, symbol, BUY, quantity, MARKET, null, null, DAY, money(reserved), 0);
  }

  static Order marketSellOrder(String orderId, String symbol, long quantity) {
    return new Order(orderId, symbol, SELL, quantity, MARKET, null, null, DAY, money("0.00"), quantity);
  }

  /** The events of a market buy of {@code quantity} shares filled at {@code price}, reserved at that price. */
  static PortfolioEvent[] bought(String orderId, String symbol, long quantity, String price) {
    BigDecimal total = money(price).multiply(BigDecimal.valueOf(quantity));
    return new PortfolioEvent[] {
      new OrderPlaced(new Order(orderId, symbol, BUY, quantity, MARKET, null, null, DAY, total, 0)),
      new OrderFilled(orderId, symbol, BUY, quantity, money(price), total, total, FILLED_AT)
    };
  }

  /** The events of {@code parts}, in order: a history for given(...). */
  static PortfolioEvent[] history(PortfolioEvent[]... parts) {
    return Arrays.stream(parts).flatMap(Arrays::stream).toArray(PortfolioEvent[]::new);
  }

  static PortfolioEvent[] events(PortfolioEvent... events) {
    return events;
  }
}
