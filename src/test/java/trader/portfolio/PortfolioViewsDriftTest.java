package trader.portfolio;

import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.testing.ProjectionRig;
import trader.testing.TestDatabase;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The portfolio read side does not drift: a row that is not at the version before an event (one applied twice, or
 * missed) stops its shard with the reason, and the row is left as it was. (A database of its own: the stopped shard
 * stays stopped.)
 */
class PortfolioViewsDriftTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase();

  private final ProjectionRig rig = new ProjectionRig(db);

  @AfterEach
  void tearDown() {
    rig.close();
  }

  @Test
  void aRowNotAtTheVersionBeforeAnEventStopsTheReadSide() throws Exception {
    rig.runtime(new PortfolioViews(rig.vertx()));
    PortfolioHistory h = new PortfolioHistory(rig);
    h.run(new PortfolioCommand.OpenPortfolio(h.id, "owner", "Main"));
    h.run(new PortfolioCommand.DepositCash("t1", new java.math.BigDecimal("100.00")));
    h.append();
    h.awaitViewIsTheFold();
    // as if an event had been applied twice, or one missed
    rig.pool().preparedQuery("update portfolios set version = version + 1 where portfolio_id = $1")
      .execute(Tuple.of(h.id)).await();

    h.run(new PortfolioCommand.DepositCash("t2", new java.math.BigDecimal("1.00")));
    h.append();

    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    String stopped = null;
    while (stopped == null && System.nanoTime() < deadline) {
      var rows = rig.pool().query("select stopped_reason from projection_offsets where name = 'portfolio_views' "
        + "and stopped_reason is not null").execute().await();
      stopped = rows.size() == 0 ? null : rows.iterator().next().getString(0);
      Thread.sleep(50);
    }
    assertThat(stopped).contains("is not at version 2");
    assertThat(rig.pool().query("select count(*) from portfolios where cash = 101.00").execute().await().iterator()
      .next().getLong(0)).isZero();
  }
}
