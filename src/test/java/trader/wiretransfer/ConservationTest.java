package trader.wiretransfer;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.testing.NodeProcess;
import trader.testing.TestDatabase;
import trader.testing.TestInfra;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Money is conserved under chaos: 20 users, 100 concurrent random transfers (valid and invalid) through both nodes of
 * a 2-node cluster, one node stopped mid-run (its Kafka consumers' messages are redelivered to the other, its entities
 * and read sides move). Afterwards every transfer is final, nothing is negative, and the total is the opening total.
 */
class ConservationTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase(false);

  static final int USERS = 20;
  static final BigDecimal OPENING = new BigDecimal("1000.00");

  @Test
  void moneyIsNeverLostOrCreated() throws Exception {
    int portA = NodeProcess.freePort();
    int portB = NodeProcess.freePort();
    Map<String, String> config = new HashMap<>(Map.of(
      "pg.url", db.url(), "kafka.bootstrap-servers", TestInfra.kafkaBootstrap(),
      "kafka.topic-prefix", db.name() + ".", "auth.jwt-secret", "conservation-test-secret-0123456789abcdef",
      "auth.pbkdf2-iterations", "10000", "accounts.opening-balance", OPENING.toPlainString(),
      "cluster.members", "127.0.0.1:" + portA + ",127.0.0.1:" + portB));
    Map<String, String> configA = new HashMap<>(config);
    configA.put("cluster.port", String.valueOf(portA));
    Map<String, String> configB = new HashMap<>(config);
    configB.put("cluster.port", String.valueOf(portB));

    Vertx vertx = Vertx.vertx();
    try (NodeProcess a = NodeProcess.create("conservation-a", configA).start();
         NodeProcess b = NodeProcess.create("conservation-b", configB).start()) {
      a.awaitReady(Duration.ofSeconds(120));
      b.awaitReady(Duration.ofSeconds(120));
      WebClient toA = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(a.httpPort()));
      WebClient toB = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(b.httpPort()));

      List<String> tokens = new ArrayList<>();
      List<List<String>> portfolios = new ArrayList<>();
      for (int i = 0; i < USERS; i++) {
        WebClient http = i % 2 == 0 ? toA : toB;
        JsonObject session = http.post("/api/auth/signup").sendJsonObject(new JsonObject()
          .put("username", "user" + i).put("password", "correct horse battery")).await().bodyAsJsonObject();
        tokens.add(session.getString("token"));
        List<String> own = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
          own.add(http.post("/api/portfolios").bearerTokenAuthentication(session.getString("token"))
            .sendJsonObject(new JsonObject().put("name", "p" + p)).await().bodyAsJsonObject().getString("portfolioId"));
        }
        portfolios.add(own);
      }

      Random random = new Random(7);
      AtomicInteger accepted = new AtomicInteger();
      AtomicInteger refused = new AtomicInteger();
      AtomicInteger failedCalls = new AtomicInteger();
      List<Future<?>> calls = new ArrayList<>();
      for (int t = 0; t < 100; t++) {
        int user = random.nextInt(USERS);
        JsonObject from = endpoint(random, portfolios.get(user));
        JsonObject to = endpoint(random, portfolios.get(user));
        if (from.equals(to)) {
          to = from.getString("kind").equals("savings") ? portfolio(portfolios.get(user).get(0)) : savings();
        }
        if (random.nextInt(10) == 0) {
          to = portfolio(portfolios.get((user + 1) % USERS).get(0)); // another user's: refused
        }
        String amount = random.nextInt(8) == 0 ? "5000.00" // more than anyone has: declined
          : random.nextInt(12) == 0 ? "1.234" // invalid: refused
          : new BigDecimal(random.nextInt(60_000)).movePointLeft(2).add(BigDecimal.ONE).toPlainString();
        WebClient http = t % 2 == 0 ? toA : toB;
        if (t == 40) {
          // stop node B mid-run: in-flight requests to it fail, its consumers' messages go to A
          b.stop(Duration.ofSeconds(30));
        }
        if (t >= 40) {
          http = toA;
        }
        calls.add(http.post("/api/transfers").bearerTokenAuthentication(tokens.get(user))
          .sendJsonObject(new JsonObject().put("from", from).put("to", to).put("amount", amount))
          .onSuccess(r -> (r.statusCode() == 202 ? accepted : refused).incrementAndGet())
          .onFailure(e -> failedCalls.incrementAndGet()));
        Thread.sleep(20);
      }
      Future.join(calls).transform(done -> Future.succeededFuture()).await();
      System.out.printf("transfers: %d accepted, %d refused (4xx), %d calls failed%n", accepted.get(), refused.get(),
        failedCalls.get());
      assertThat(accepted.get()).isGreaterThan(50);

      Pool pool = db.database().pool(vertx);
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (openTransfers(pool) > 0 && System.nanoTime() < deadline) {
        Thread.sleep(250);
      }
      assertThat(openTransfers(pool)).as("transfers not final").isZero();
      assertThat(count(pool, "select count(*) from journal where event_type = 'transfer.requested'"))
        .isGreaterThanOrEqualTo(accepted.get());

      Map<String, BigDecimal> balances = balancesFromJournal(pool);
      assertThat(balances.values()).allSatisfy(v -> assertThat(v).isGreaterThanOrEqualTo(BigDecimal.ZERO));
      BigDecimal total = balances.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
      assertThat(total).isEqualByComparingTo(OPENING.multiply(BigDecimal.valueOf(USERS)));
      System.out.printf("statuses: %s%n", statuses(pool));
      toA.close();
      toB.close();
      assertThat(a.stop(Duration.ofSeconds(30))).isZero();
    } finally {
      vertx.close().await();
    }
  }

  static JsonObject endpoint(Random random, List<String> own) {
    return random.nextBoolean() ? savings() : portfolio(own.get(random.nextInt(own.size())));
  }

  static JsonObject savings() {
    return new JsonObject().put("kind", "savings");
  }

  static JsonObject portfolio(String id) {
    return new JsonObject().put("kind", "portfolio").put("id", id);
  }

  /** Transfers whose last event is not final, folded from the journal (the source of truth). */
  static long openTransfers(Pool pool) {
    return count(pool, """
      select count(*) from (
        select distinct on (stream_id) stream_id, event_type from journal where stream_id like 'transfer|%'
        order by stream_id, version desc) last
      where event_type not in ('transfer.completed', 'transfer.failed', 'transfer.refunded')""");
  }

  /** Every savings account and portfolio's cash, folded from the journal. */
  static Map<String, BigDecimal> balancesFromJournal(Pool pool) {
    Map<String, BigDecimal> balances = new HashMap<>();
    for (Row r : pool.query("""
      select stream_id, sum(case
          when event_type = 'savings-account.opened' then (payload->>'openingBalance')::numeric
          when event_type in ('savings-account.deposited', 'savings-account.refunded', 'portfolio.cash-deposited',
                              'portfolio.cash-refunded') then (payload->>'amount')::numeric
          when event_type in ('savings-account.withdrawn', 'portfolio.cash-withdrawn') then -(payload->>'amount')::numeric
          else 0 end) as balance
      from journal where stream_id like 'savings-account|%' or stream_id like 'portfolio|%' group by stream_id""")
      .execute().await()) {
      balances.put(r.getString("stream_id"), r.getBigDecimal("balance"));
    }
    return balances;
  }

  static String statuses(Pool pool) {
    StringBuilder s = new StringBuilder();
    for (Row r : pool.query("select event_type, count(*) from (select distinct on (stream_id) event_type from journal "
      + "where stream_id like 'transfer|%' order by stream_id, version desc) l group by 1 order by 1").execute().await()) {
      s.append(r.getString(0)).append('=').append(r.getLong(1)).append(' ');
    }
    return s.toString();
  }

  static long count(Pool pool, String sql) {
    return pool.query(sql).execute().await().iterator().next().getLong(0);
  }
}
