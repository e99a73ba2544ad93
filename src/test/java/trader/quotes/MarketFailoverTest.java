package trader.quotes;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.platform.Node;
import trader.platform.Settings;
import trader.testing.NodeProcess;
import trader.testing.TestDatabase;
import trader.testing.TestInfra;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** Two nodes in one cluster: exactly one runs the market; when it stops, the other takes over within seconds. */
class MarketFailoverTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase(false);

  @Test
  void oneMarketPerClusterAndTakeOver() throws Exception {
    int portA = NodeProcess.freePort();
    int portB = NodeProcess.freePort();
    String members = "127.0.0.1:" + portA + ",127.0.0.1:" + portB;
    QuotesContext quotesA = new QuotesContext();
    QuotesContext quotesB = new QuotesContext();
    Node a = Node.start(settings(portA, members), List.of(quotesA));
    Node b = null;
    try {
      b = Node.start(settings(portB, members), List.of(quotesB));
      await(() -> quotesA.runsMarket() || quotesB.runsMarket(), Duration.ofSeconds(15), "a market");
      for (int i = 0; i < 30; i++) { // three seconds, more than one retry period of the other node
        assertThat(quotesA.runsMarket() && quotesB.runsMarket()).as("two markets").isFalse();
        assertThat(quotesA.runsMarket() || quotesB.runsMarket()).as("no market").isTrue();
        Thread.sleep(100);
      }

      Node owner = quotesA.runsMarket() ? a : b;
      Node survivor = owner == a ? b : a;
      QuotesContext survivorQuotes = owner == a ? quotesB : quotesA;
      owner.close();
      if (owner == a) {
        a = null;
      } else {
        b = null;
      }
      Instant stopped = Instant.now();
      await(survivorQuotes::runsMarket, Duration.ofSeconds(10), "the other node to take the market over");

      // and its ticks flow: a quote newer than the stop reaches the survivor's event bus
      AtomicReference<Instant> newest = new AtomicReference<>(Instant.EPOCH);
      survivor.vertx().eventBus().<JsonObject>consumer("quotes.AAPL",
        m -> newest.set(Instant.parse(m.body().getString("time"))));
      await(() -> newest.get().isAfter(stopped), Duration.ofSeconds(10), "a tick from the new market node");
    } finally {
      if (a != null) {
        a.close();
      }
      if (b != null) {
        b.close();
      }
    }
  }

  static Settings settings(int clusterPort, String members) {
    return Settings.of(Map.ofEntries(
      Map.entry("pg.url", db.url()),
      Map.entry("kafka.bootstrap-servers", TestInfra.kafkaBootstrap()),
      Map.entry("kafka.topic-prefix", db.name() + "."),
      Map.entry("http.port", NodeProcess.freePort()),
      Map.entry("http.host", "127.0.0.1"),
      Map.entry("cluster.port", clusterPort),
      Map.entry("cluster.members", members),
      Map.entry("auth.jwt-secret", "market-failover-test-secret-0123456789abcdef"),
      Map.entry("quotes.tick-ms", 200)));
  }

  static void await(java.util.function.BooleanSupplier condition, Duration timeout, String what)
    throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("timed out waiting for " + what);
  }
}
