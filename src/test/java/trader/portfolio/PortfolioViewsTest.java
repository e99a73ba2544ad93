package trader.portfolio;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.eventsourcing.journal.NewEvent;
import trader.eventsourcing.projection.ProjectionRebuild;
import trader.eventsourcing.projection.Projections;
import trader.portfolio.PortfolioEvent.OrderEnded;
import trader.portfolio.PortfolioEvent.OrderFilled;
import trader.portfolio.PortfolioEvent.OrderPlaced;
import trader.portfolio.PortfolioEvent.PortfolioOpened;
import trader.testing.ProjectionRig;
import trader.testing.TestDatabase;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static trader.portfolio.PortfolioFixtures.FILLED_AT;
import static trader.portfolio.PortfolioFixtures.deposited;
import static trader.portfolio.PortfolioFixtures.limitBuyOrder;
import static trader.portfolio.PortfolioFixtures.marketBuyOrder;
import static trader.portfolio.PortfolioFixtures.money;
import static trader.portfolio.Side.BUY;

/** The portfolio read side's cache of states, run by the real projection runtime on PostgreSQL. */
class PortfolioViewsTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase();

  private final Portfolio portfolio = new Portfolio();
  /** This test's portfolio (each test has its own; the read side's tables outlive a test) and its events. */
  private final String id = "p-" + UUID.randomUUID();
  private final List<PortfolioEvent> written = new ArrayList<>();

  private ProjectionRig rig;
  private Vertx vertx;
  private Pool pool;

  @BeforeEach
  void setUp() {
    rig = new ProjectionRig(db);
    vertx = rig.vertx();
    pool = rig.pool();
  }

  @AfterEach
  void tearDown() {
    pool.query("drop trigger if exists fail_once on projection_offsets").execute().await();
    rig.close();
  }

  @Test
  void laterBatchesStartFromTheStateTheyWroteWithoutReadingIt() throws Exception {
    PortfolioViews views = runningWithAnOpenOrder();
    append(filled("o1", "ACME", 10, "49.99"), new OrderPlaced(limitBuyOrder("o2", "ACME", 1, "40.00", "40.00")));
    awaitViewIsTheFold();

    assertThat(views.stateReads()).isZero();
  }

  @Test
  void aBatchThatRollsBackLeavesNoStateInTheCache() throws Exception {
    PortfolioViews views = new PortfolioViews(vertx);
    runtime(views);
    append(new PortfolioOpened(id, "alice", "Main"), deposited("t1", "1000.00"),
      new OrderPlaced(marketBuyOrder("o1", "ACME", 10, "500.00")));
    awaitViewIsTheFold();
    // the next batch applies, then fails at the runner's offset update (after apply): its transaction rolls back
    pool.query("""
        create sequence if not exists offset_updates;
        create or replace function fail_once() returns trigger language plpgsql as $$
        begin
          if nextval('offset_updates') = 1 then
            raise exception 'injected failure after the batch was applied';
          end if;
          return new;
        end $$;
        create trigger fail_once before update on projection_offsets for each row
          when (new.name = 'portfolio_views' and new.events_applied <> old.events_applied)
          execute function fail_once();""").execute().await();

    append(filled("o1", "ACME", 10, "49.99"), new OrderPlaced(limitBuyOrder("o2", "ACME", 1, "40.00", "40.00")));
    awaitViewIsTheFold();

    assertThat(scalar("select last_value from offset_updates")).as("the batch failed once, then passed")
      .isGreaterThanOrEqualTo(2);
    // the retry started from the cached state of the committed version, not from the rolled-back batch's
    assertThat(views.stateReads()).isZero();
  }

  @Test
  void aRowChangedBehindTheCacheIsReadAgain() throws Exception {
    PortfolioViews here = new PortfolioViews(vertx);
    Projections first = runtime(here);
    append(new PortfolioOpened(id, "alice", "Main"), deposited("t1", "1000.00"),
      new OrderPlaced(marketBuyOrder("o1", "ACME", 10, "500.00")));
    awaitViewIsTheFold();
    first.close().await();

    // another node takes the shards over and moves the row on; then this node gets them back
    Projections other = runtime(new PortfolioViews(vertx));
    append(filled("o1", "ACME", 10, "49.99"));
    awaitViewIsTheFold();
    other.close().await();
    runtime(here);
    append(new OrderPlaced(limitBuyOrder("o2", "ACME", 1, "40.00", "40.00")),
      new OrderEnded("o2", OrderOutcome.CANCELLED, "by the owner"));
    awaitViewIsTheFold();

    assertThat(here.stateReads()).isEqualTo(1);
  }

  @Test
  void aRebuildStartsEachPortfolioFromItsFirstEventNotFromTheCache() throws Exception {
    PortfolioViews views = runningWithAnOpenOrder();

    // the same instance (as on a node) rebuilds into a new version's empty tables while it caches version 3
    assertThat(ProjectionRebuild.run(vertx, db.options(), rig.journal(), views, 50, (done, total) -> { }).await())
      .isGreaterThanOrEqualTo(2);
    awaitViewIsTheFold();
    append(filled("o1", "ACME", 10, "49.99"));
    awaitViewIsTheFold();
  }

  /** A read side running on a portfolio opened, funded and with an order placed, in two batches. */
  private PortfolioViews runningWithAnOpenOrder() throws InterruptedException {
    PortfolioViews views = new PortfolioViews(vertx);
    runtime(views);
    append(new PortfolioOpened(id, "alice", "Main"), deposited("t1", "1000.00"));
    awaitViewIsTheFold();
    append(new OrderPlaced(marketBuyOrder("o1", "ACME", 10, "500.00")));
    awaitViewIsTheFold();
    return views;
  }

  private Projections runtime(PortfolioViews views) {
    return rig.runtime(views);
  }

  private void append(PortfolioEvent... events) {
    List<NewEvent> news = new ArrayList<>();
    for (PortfolioEvent e : events) {
      news.add(NewEvent.of(portfolio.events().typeName(e), portfolio.events().encode(e)));
    }
    rig.journal().append(Portfolio.NAME + "|" + id, written.size(), news).await();
    written.addAll(List.of(events));
  }

  private static OrderFilled filled(String orderId, String symbol, long quantity, String price) {
    var total = money(price).multiply(java.math.BigDecimal.valueOf(quantity));
    return new OrderFilled(orderId, symbol, BUY, quantity, money(price), total, total, FILLED_AT);
  }

  /** Waits until the row holds the fold of every event written, at the last event's version. */
  private void awaitViewIsTheFold() throws InterruptedException {
    PortfolioState fold = portfolio.initialState();
    for (PortfolioEvent e : written) {
      fold = portfolio.evolve(fold, e);
    }
    // the read side keeps no completed orders' outcomes
    var expected = portfolio.states().encode(fold instanceof PortfolioState.Opened o ? o.withoutCompletedOrders() : fold);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      Row row = viewRow();
      if (row != null && row.getLong("version") == written.size() && expected.equals(row.getJsonObject("state"))) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the view of " + id + " is " + (row == null ? "missing" : row.toJson())
          + ", the fold of " + written.size() + " events " + expected);
      }
      Thread.sleep(50);
    }
  }

  private Row viewRow() {
    try {
      RowSet<Row> rows = pool.preparedQuery("select version, state from portfolios where portfolio_id = $1")
        .execute(Tuple.of(id)).await();
      return rows.iterator().hasNext() ? rows.iterator().next() : null;
    } catch (io.vertx.pgclient.PgException notCreatedYet) {
      return null;
    }
  }

  private long scalar(String sql) {
    return pool.query(sql).execute().await().iterator().next().getLong(0);
  }
}
