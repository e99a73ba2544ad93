package trader.portfolio;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.testing.ApiNode;
import trader.testing.TestDatabase;
import trader.tools.LongHistory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A portfolio with 100,000 ended orders costs what a fresh one does: its snapshot and its view's rows stay small, and
 * a command on it and a read of its view take the same time as on a fresh portfolio (within 1.2×, medians of runs
 * interleaved with the fresh one's, so that the machine's speed changes both alike). The history is written
 * straight into the journal ({@link LongHistory}); the read sides apply it as they would any other.
 */
class LongLivedPortfolioTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase();

  static ApiNode node;
  static ApiNode.User user;

  @BeforeAll
  static void start() {
    // an idle entity leaves memory soon: the first command after the history is written recovers it from the journal
    node = ApiNode.start(db, Map.of("entities.idle-timeout-ms", 1000));
    user = node.signup();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static HttpRequest<Buffer> as(HttpRequest<Buffer> request) {
    return request.bearerTokenAuthentication(user.token());
  }

  private static String funded(String name) {
    HttpResponse<Buffer> opened = as(node.http().post("/api/portfolios")).sendJsonObject(new JsonObject()
      .put("name", name)).await();
    String id = opened.bodyAsJsonObject().getString("portfolioId");
    HttpResponse<Buffer> transfer = as(node.http().post("/api/transfers")).sendJsonObject(new JsonObject()
      .put("from", new JsonObject().put("kind", "savings"))
      .put("to", new JsonObject().put("kind", "portfolio").put("id", id)).put("amount", "1000.00")).await();
    assertThat(transfer.statusCode()).as(transfer.bodyAsString()).isEqualTo(202);
    until(() -> "1000.00".equals(view(id).getString("cash")));
    return id;
  }

  private static JsonObject view(String id) {
    return as(node.http().get("/api/portfolios/" + id)).send().await().bodyAsJsonObject();
  }

  @Test
  void aHundredThousandEndedOrdersCostNothingMore() throws Exception {
    String fresh = funded("fresh");
    String old = funded("old");
    long version = LongHistory.write(node.node().engine().journal(), old, 100_000).await();
    assertThat(version).isGreaterThan(200_000);
    node.node().engine().progress().awaitCommitted(PortfolioViews.NAME, Duration.ofMinutes(5)).await();
    node.node().engine().progress().awaitCommitted(OrderViews.NAME, Duration.ofMinutes(5)).await();
    assertThat(view(old).getLong("version")).isEqualTo(version);
    assertThat(count("select count(*) from portfolio_history where portfolio_id = $1", old)).isEqualTo(version);

    // sizes: the snapshot and the view's rows hold the portfolio's present, not its past
    long snapshot = count("select octet_length(state::text) from snapshots where stream_id = $1", "portfolio|" + old);
    long viewRows = count("""
        select (select pg_column_size(p.*) from portfolios p where p.portfolio_id = $1)
          + coalesce((select sum(pg_column_size(h.*)) from portfolio_holdings h where h.portfolio_id = $1), 0)
          + coalesce((select sum(pg_column_size(o.*)) from portfolio_open_orders o where o.portfolio_id = $1), 0)""",
      old);
    System.out.printf("100,000 ended orders: snapshot %d bytes, view rows %d bytes%n", snapshot, viewRows);
    assertThat(snapshot).isLessThan(16 * 1024);
    assertThat(viewRows).isLessThan(16 * 1024);

    // the history stands for a long life, over which autovacuum cleaned up after the rows it changed (a hundred
    // thousand orders in a minute leave dead rows that a year of them would not)
    node.node().pool().query("vacuum analyze").execute().await();

    // time: place (and cancel) an order on each, and read each view, interleaved
    until(() -> as(node.http().get("/api/quotes/AAPL")).send().await().statusCode() == 200);
    until(() -> placeBuy(fresh).statusCode() != 409); // the portfolio context has a quote to reserve at
    Thread.sleep(2000); // both entities have left memory: the first commands recover them (from the snapshot)
    List<Long> freshCommand = new ArrayList<>();
    List<Long> oldCommand = new ArrayList<>();
    List<Long> freshRead = new ArrayList<>();
    List<Long> oldRead = new ArrayList<>();
    for (int round = 0; round < 150; round++) {
      for (String id : round % 2 == 0 ? List.of(fresh, old) : List.of(old, fresh)) {
        boolean isOld = id.equals(old);
        long start = System.nanoTime();
        HttpResponse<Buffer> placed = placeBuy(id);
        (isOld ? oldCommand : freshCommand).add(System.nanoTime() - start);
        assertThat(placed.statusCode()).as(placed.bodyAsString()).isEqualTo(202);
        start = System.nanoTime();
        JsonObject read = view(id);
        (isOld ? oldRead : freshRead).add(System.nanoTime() - start);
        assertThat(read.getString("cash")).isEqualTo("1000.00");
        // cancelled again, so that open orders do not pile up in either
        as(node.http().delete(placed.getHeader("Location"))).send().await();
      }
    }
    double commands = median(oldCommand.subList(20, 150)) / median(freshCommand.subList(20, 150));
    double reads = median(oldRead.subList(20, 150)) / median(freshRead.subList(20, 150));
    System.out.printf("old/fresh medians: command %.2f, view %.2f (fresh %.2f ms, %.2f ms)%n", commands, reads,
      median(freshCommand) / 1e6, median(freshRead) / 1e6);
    assertThat(commands).as("a command on the old portfolio over one on the fresh").isLessThanOrEqualTo(1.2);
    assertThat(reads).as("a read of the old portfolio's view over one of the fresh").isLessThanOrEqualTo(1.2);
  }

  /** A buy far below the market: it rests (reserving 1.00) until cancelled. */
  private static HttpResponse<Buffer> placeBuy(String id) {
    return as(node.http().post("/api/portfolios/" + id + "/orders")).sendJsonObject(new JsonObject()
      .put("symbol", "AAPL").put("side", "BUY").put("quantity", 1).put("type", "LIMIT").put("limitPrice", "1.00")
      .put("timeInForce", "GTC")).await();
  }

  private static double median(List<Long> nanos) {
    List<Long> sorted = new ArrayList<>(nanos);
    sorted.sort(null);
    return sorted.get(sorted.size() / 2);
  }

  private static long count(String sql, String arg) {
    return node.node().pool().preparedQuery(sql).execute(Tuple.of(arg)).await().iterator().next().getLong(0);
  }

  private static void until(java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 30 s");
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
