package trader.wiretransfer;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.platform.Contexts;
import trader.platform.Node;
import trader.platform.Settings;
import trader.testing.NodeProcess;
import trader.testing.TestDatabase;
import trader.testing.TestInfra;
import trader.testing.TestNodes;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The saga restarted from an old offset: every step is published again from the start of the journal and every
 * outcome consumed again from the start of its topic. No money moves a second time.
 */
class SagaReplayTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase(false);

  @Test
  void replayingEveryStepAndOutcomeMovesNoMoneyAgain() throws Exception {
    int clusterPort = NodeProcess.freePort();
    int httpPort = NodeProcess.freePort();
    // the same ports for both starts: the second node is the first one restarted
    Settings settings = TestNodes.settings(db, Map.of("http.port", httpPort, "cluster.port", clusterPort,
      "cluster.members", "127.0.0.1:" + clusterPort));
    Vertx vertx = Vertx.vertx();
    WebClient http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(httpPort));
    Pool pool = db.database().pool(vertx);
    Node node = Node.start(settings, Contexts.all());
    String token;
    try {
      token = http.post("/api/auth/signup").sendJsonObject(new JsonObject().put("username", "replay")
        .put("password", "correct horse battery")).await().bodyAsJsonObject().getString("token");
      String portfolioId = http.post("/api/portfolios").bearerTokenAuthentication(token)
        .sendJsonObject(new JsonObject().put("name", "Replayed")).await().bodyAsJsonObject().getString("portfolioId");
      transfer(http, token, savings(), portfolio(portfolioId), "300.00");
      transfer(http, token, portfolio(portfolioId), savings(), "100.00");
      transfer(http, token, portfolio(portfolioId), savings(), "900.00"); // declined: only 200.00 left
    } finally {
      node.close();
    }
    Map<String, BigDecimal> before = ConservationTest.balancesFromJournal(pool);
    long moneyEvents = moneyEvents(pool);

    // back to the start: publishers' offsets and the consumer groups of every saga participant
    pool.query("update projection_offsets set transaction_id = 0, sequence = 0, events_applied = 0 where name in "
      + "('publish_transfer_steps', 'publish_accounts_results', 'publish_portfolio_results')").execute().await();
    KafkaAdminClient admin = KafkaAdminClient.create(vertx, Map.of("bootstrap.servers", TestInfra.kafkaBootstrap()));
    admin.deleteConsumerGroups(List.of(db.name() + ".accounts", db.name() + ".portfolio", db.name() + ".wiretransfer"))
      .await();
    admin.close().await();

    node = Node.start(settings, Contexts.all());
    try {
      // a new transfer after the replayed ones: on single-partition topics it completes after all of them
      String newToken = http.post("/api/auth/login").sendJsonObject(new JsonObject().put("username", "replay")
        .put("password", "correct horse battery")).await().bodyAsJsonObject().getString("token");
      String second = http.post("/api/portfolios").bearerTokenAuthentication(newToken)
        .sendJsonObject(new JsonObject().put("name", "After")).await().bodyAsJsonObject().getString("portfolioId");
      transfer(http, newToken, savings(), portfolio(second), "1.00");
      // every step again (withdraw + deposit twice, one declined withdrawal) and the new transfer's two; a publisher
      // records its offset at most every 500 ms (and once idle at its next poll), so wait for the count, then check
      // that nothing more comes
      long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (publishedAgain(pool) < 5 + 2 && System.nanoTime() < until) {
        Thread.sleep(100);
      }
      Thread.sleep(1500);
      assertThat(publishedAgain(pool)).isEqualTo(5 + 2);
    } finally {
      node.close();
    }
    Map<String, BigDecimal> after = ConservationTest.balancesFromJournal(pool);
    // only the new transfer moved money: 1.00 from savings to the new portfolio, two events
    assertThat(moneyEvents(pool)).isEqualTo(moneyEvents + 2);
    before.forEach((account, balance) -> {
      BigDecimal expected = account.startsWith("savings-account|") ? balance.subtract(BigDecimal.ONE) : balance;
      assertThat(after.get(account)).as(account).isEqualByComparingTo(expected);
    });
    vertx.close().await();
  }

  private static void transfer(WebClient http, String token, JsonObject from, JsonObject to, String amount)
    throws InterruptedException {
    HttpResponse<Buffer> r = http.post("/api/transfers").bearerTokenAuthentication(token)
      .sendJsonObject(new JsonObject().put("from", from).put("to", to).put("amount", amount)).await();
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(202);
    String id = r.bodyAsJsonObject().getString("transferId");
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      String status = http.get("/api/transfers/" + id).bearerTokenAuthentication(token).send().await()
        .bodyAsJsonObject().getString("status");
      if (List.of("COMPLETED", "FAILED", "REFUNDED").contains(status)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("transfer " + id + " did not finish");
  }

  private static long moneyEvents(Pool pool) {
    return ConservationTest.count(pool, "select count(*) from journal where event_type in ('savings-account.withdrawn', "
      + "'savings-account.deposited', 'savings-account.refunded', 'portfolio.cash-withdrawn', "
      + "'portfolio.cash-deposited', 'portfolio.cash-refunded')");
  }

  private static long publishedAgain(Pool pool) {
    return ConservationTest.count(pool, "select coalesce(sum(events_applied), 0) from projection_offsets "
      + "where name = 'publish_transfer_steps'");
  }

  private static JsonObject savings() {
    return new JsonObject().put("kind", "savings");
  }

  private static JsonObject portfolio(String id) {
    return new JsonObject().put("kind", "portfolio").put("id", id);
  }
}
