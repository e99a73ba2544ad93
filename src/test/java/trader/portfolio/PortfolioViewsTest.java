package trader.portfolio;

import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.portfolio.PortfolioCommand.ClosePortfolio;
import trader.portfolio.PortfolioCommand.DepositCash;
import trader.portfolio.PortfolioCommand.OpenPortfolio;
import trader.portfolio.PortfolioCommand.PlaceOrder;
import trader.portfolio.PortfolioCommand.RecordFill;
import trader.portfolio.PortfolioCommand.RecordOrderEnd;
import trader.portfolio.PortfolioCommand.RequestCancel;
import trader.portfolio.PortfolioCommand.WithdrawCash;
import trader.portfolio.PortfolioState.Opened;
import trader.testing.ProjectionRig;
import trader.testing.TestDatabase;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static trader.portfolio.PortfolioFixtures.FILLED_AT;

/**
 * The portfolio read side, run by the real projection runtime on PostgreSQL: its rows (portfolio, holdings, open
 * orders, history) are the fold of the journal after any history the domain can make, in batches of any size.
 */
class PortfolioViewsTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase();

  private ProjectionRig rig;
  private Pool pool;

  @BeforeEach
  void setUp() {
    rig = new ProjectionRig(db);
    pool = rig.pool();
  }

  @AfterEach
  void tearDown() {
    rig.close();
  }

  @Test
  void theRowsAreTheFoldOfAnyHistoryInBatchesOfAnySize() throws Exception {
    rig.runtime(new PortfolioViews(rig.vertx()));
    Random random = new Random(42);
    List<PortfolioHistory> histories = new ArrayList<>();
    for (int p = 0; p < 6; p++) {
      PortfolioHistory h = new PortfolioHistory(rig);
      histories.add(h);
      h.run(new DepositCash("early-" + p, new BigDecimal("5.00"))); // declined: not open yet, no row
      h.run(new OpenPortfolio(h.id, "owner-" + p, "Portfolio " + p));
      h.legacyDeposit("legacy-" + p, "250.00");
      h.run(new DepositCash("t-" + p, new BigDecimal("5000.00")));
    }
    List<String> symbols = List.of("AAPL", "MSFT", "IBM");
    for (int step = 0; step < 1500; step++) {
      PortfolioHistory h = histories.get(random.nextInt(histories.size()));
      if (!(h.state instanceof Opened o) || o.closed()) {
        continue;
      }
      String symbol = symbols.get(random.nextInt(symbols.size()));
      List<Order> open = new ArrayList<>(o.openOrders().values());
      int choice = random.nextInt(10);
      if (choice < 3) {
        boolean sell = random.nextBoolean() && o.holding(symbol).unreservedShares() > 0;
        long quantity = sell ? 1 + random.nextInt((int) Math.min(5, o.holding(symbol).unreservedShares()))
          : 1 + random.nextInt(5);
        h.run(new PlaceOrder("o-" + step, symbol, sell ? Side.SELL : Side.BUY, quantity, OrderType.LIMIT,
          new BigDecimal(90 + random.nextInt(20) + ".25"), null, TimeInForce.GTC, null));
      } else if (choice < 6 && !open.isEmpty()) {
        Order order = open.get(random.nextInt(open.size()));
        BigDecimal better = order.side() == Side.BUY ? new BigDecimal("-0.10") : new BigDecimal("0.10");
        h.run(new RecordFill(order.orderId(), order.limitPrice().add(better), order.quantity(), FILLED_AT));
      } else if (choice < 7 && !open.isEmpty()) {
        h.run(new RecordOrderEnd(open.get(random.nextInt(open.size())).orderId(), OrderOutcome.CANCELLED,
          "cancelled by the trader"));
      } else if (choice < 8 && !open.isEmpty()) {
        h.run(new RequestCancel(open.get(random.nextInt(open.size())).orderId()));
      } else if (choice < 9) {
        // more than there is is declined, with an event
        h.run(new WithdrawCash("w-" + step, new BigDecimal(random.nextInt(3000) + ".00")));
      } else {
        h.run(new DepositCash("d-" + step, new BigDecimal(random.nextInt(100) + 1 + ".50")));
      }
      if (random.nextInt(4) == 0) {
        h.append();
      }
    }
    // one portfolio sold out and closed: holdings emptied, cash withdrawn, then closed
    PortfolioHistory closing = histories.get(0);
    closing.append();
    for (Order order : new ArrayList<>(((Opened) closing.state).openOrders().values())) {
      closing.run(new RecordOrderEnd(order.orderId(), OrderOutcome.EXPIRED, "the session closed"));
    }
    for (var holding : ((Opened) closing.state).holdings().entrySet()) {
      closing.run(new PlaceOrder("sell-" + holding.getKey(), holding.getKey(), Side.SELL, holding.getValue().shares(),
        OrderType.MARKET, null, null, TimeInForce.DAY, null));
      closing.run(new RecordFill("sell-" + holding.getKey(), new BigDecimal("100.00"), holding.getValue().shares(),
        FILLED_AT));
    }
    closing.run(new WithdrawCash("out", ((Opened) closing.state).cash()));
    assertThat(closing.run(new ClosePortfolio())).isTrue();
    histories.forEach(PortfolioHistory::append);

    for (PortfolioHistory h : histories) {
      h.awaitViewIsTheFold();
    }
    assertThat(histories.stream().mapToInt(h -> h.events.size()).sum()).isGreaterThan(600);
    for (PortfolioHistory h : histories) {
      assertThat(scalar("select count(*) from portfolio_history where portfolio_id = '" + h.id + "'"))
        .isEqualTo(h.events.size());
    }
  }

  private long scalar(String sql) {
    return pool.query(sql).execute().await().iterator().next().getLong(0);
  }
}
