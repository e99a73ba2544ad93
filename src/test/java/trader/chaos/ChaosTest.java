package trader.chaos;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.Test;
import trader.platform.Database;
import trader.platform.EmbeddedPostgresServer;
import trader.testing.NodeProcess;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole-system fault suite: three node JVMs against one PostgreSQL and one Kafka of the test's own, a steady mixed
 * load through the REST API of every node, and meanwhile, one after the other: a node killed (kill -9) and restarted;
 * the node running the exchange frozen (kill -STOP) past the failure-detection timeout, then resumed; PostgreSQL
 * restarted ({@code pg_ctl restart -m fast}); the Kafka broker stopped and started again; a node stopped gracefully
 * (SIGTERM) and started again. Then {@link ChaosChecks} reads the journal and the read sides: nothing accepted lost,
 * nothing doubled, money conserved, every read side the fold of the journal. The report (requests per phase, time to
 * serve again, lock takeovers, the checks' figures) is printed and written to {@code target/chaos-report.txt}.
 *
 * <p>One round of the five faults by default (a few minutes); {@code -Dtrader.chaos.minutes=20} (or
 * {@code TRADER_CHAOS_MINUTES=20}) repeats rounds for that long.
 */
class ChaosTest {

  static final BigDecimal OPENING = new BigDecimal("10000.00");
  static final int NODES = 3;

  private final List<ChaosPhase> phases = new ArrayList<>();
  private final List<String> events = new ArrayList<>();
  private Path dir;
  private EmbeddedPostgresServer postgres;
  private NodeProcess kafka;
  private final List<NodeProcess> nodes = new ArrayList<>();
  private ChaosLoad load;
  private Pool pool;
  private final Map<NodeProcess, String> nodeIds = new HashMap<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void theBooksBalanceThroughKillsFreezesAndRestarts() throws Exception {
    double minutes = Double.parseDouble(System.getProperty("trader.chaos.minutes",
      System.getenv().getOrDefault("TRADER_CHAOS_MINUTES", "0")));
    dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "chaos")), "run-");
    Vertx vertx = Vertx.vertx();
    try {
      postgres = EmbeddedPostgresServer.start(dir, NodeProcess.freePort());
      int kafkaPort = NodeProcess.freePort();
      kafka = NodeProcess.create("chaos-kafka", Map.of(), "kafka", "--data-dir", dir.resolve("kafka").toString(),
        "--port", String.valueOf(kafkaPort)).start();
      NodeProcess.awaitPort(kafkaPort, Duration.ofSeconds(90));
      startNodes("127.0.0.1:" + kafkaPort);
      pool = Database.create(PgConnectOptions.fromUri(postgres.url()), 2).pool(vertx);

      load = new ChaosLoad(NODES, i -> nodes.get(i).baseUrl());
      load.setUp(12, new BigDecimal("5000.00"));
      load.start(4, 150);
      long until = System.nanoTime() + (long) (minutes * 60e9);
      int round = 0;
      do {
        round++;
        faults(round, kafkaPort);
      } while (System.nanoTime() < until);
      phase("after the faults (" + round + " round" + (round > 1 ? "s" : "") + ")");
      Thread.sleep(5000);
      load.close();
      load.phase().end();

      ChaosChecks checks = new ChaosChecks(pool);
      long settleStart = System.nanoTime();
      long deadline = settleStart + Duration.ofSeconds(120).toNanos();
      // resting orders would go on filling while the checks read: cancel them (a cancel racing a fill ends in one
      // outcome), until every order is final and settled and every read side is at the journal's head
      int cancels = 0;
      while (checks.unsettled() > 0 && System.nanoTime() < deadline) {
        cancels += load.cancelResting();
        Thread.sleep(500);
      }
      events.add("resting orders cancelled before the checks: " + cancels + " cancel(s) sent");
      events.add(String.format("settled (sagas ended, read sides and publishers at the journal head) %d ms after "
        + "the load stopped", (System.nanoTime() - settleStart) / 1_000_000));
      checks.run(load, OPENING);
      String report = ChaosReport.render(phases, events, checks);
      System.out.println(report);
      Files.writeString(Path.of("target", "chaos-report.txt"), report);

      assertThat(checks.violations()).as("lost, doubled or inconsistent effects").isEmpty();
      assertThat(phases).allSatisfy(p -> {
        assertThat(p.unclear.get()).as(p.name() + ": refusals without a problem detail").isZero();
        assertThat(p.unexpected.get()).as(p.name() + ": client errors").isZero();
      });
      assertThat(load.acceptedOrders()).as("orders accepted").hasSizeGreaterThan(20);
      assertThat(load.acceptedTransfers()).as("transfers accepted").hasSizeGreaterThan(20);
      assertThat(phases).filteredOn(p -> p.name().startsWith("graceful")).allSatisfy(p -> assertThat(p.failed.get())
        .as("5xx while a node hands its shards over gracefully").isZero());
    } finally {
      if (load != null) {
        load.close();
      }
      for (NodeProcess node : nodes) {
        node.close();
      }
      if (kafka != null) {
        kafka.close();
      }
      vertx.close().await();
      if (postgres != null) {
        postgres.close();
      }
    }
  }

  /** One round: kill -9, kill -STOP, PostgreSQL restart, Kafka restart, graceful stop; each with its own counters. */
  private void faults(int round, int kafkaPort) throws Exception {
    phase("steady load");
    Thread.sleep(8000);

    NodeProcess killed = holderOf("lock:quotes:market");
    phase("kill -9 " + killed.name() + " (the market's node)");
    killed.kill();
    long takeover = awaitHolderOtherThan("lock:quotes:market", killed);
    events.add(round + ": market lock moved off the killed node in " + takeover + " ms");
    Thread.sleep(6000);
    phase("restart of " + killed.name());
    killed.start().awaitReady(Duration.ofSeconds(180));
    Thread.sleep(4000);

    NodeProcess frozen = holderOf("lock:broker:exchange");
    phase("kill -STOP " + frozen.name() + " (the exchange's node), 12 s");
    frozen.freeze();
    takeover = awaitHolderOtherThan("lock:broker:exchange", frozen);
    events.add(round + ": exchange lock moved off the frozen node in " + takeover + " ms");
    Thread.sleep(Math.max(0, 12_000 - takeover));
    frozen.resume();
    Thread.sleep(10_000);

    phase("PostgreSQL restart (pg_ctl restart -m fast)");
    restartPostgres();
    Thread.sleep(12_000);

    phase("Kafka broker stopped 8 s, restarted");
    kafka.stop(Duration.ofSeconds(60));
    Thread.sleep(8000);
    kafka.start();
    NodeProcess.awaitPort(kafkaPort, Duration.ofSeconds(90));
    Thread.sleep(12_000);

    NodeProcess stopped = nodes.get(round % NODES);
    phase("graceful stop of " + stopped.name() + " (SIGTERM)");
    assertThat(stopped.stop(Duration.ofSeconds(60))).as("exit code of a graceful stop").isZero();
    Thread.sleep(5000);
    phase("restart of " + stopped.name());
    stopped.start().awaitReady(Duration.ofSeconds(180));
    Thread.sleep(5000);
  }

  private void startNodes(String kafkaBootstrap) {
    List<Integer> clusterPorts = Stream.generate(NodeProcess::freePort).limit(NODES).toList();
    String members = clusterPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    for (int i = 0; i < NODES; i++) {
      Map<String, String> config = new HashMap<>(Map.of(
        "pg.url", postgres.url(), "kafka.bootstrap-servers", kafkaBootstrap,
        "auth.jwt-secret", "chaos-test-secret-0123456789abcdef-0123", "auth.pbkdf2-iterations", "10000",
        "accounts.opening-balance", OPENING.toPlainString(), "cluster.members", members,
        "cluster.port", String.valueOf(clusterPorts.get(i)), "orders.session-close", "23:59:59"));
      nodes.add(NodeProcess.create("chaos-" + (char) ('a' + i), config).start());
    }
    nodes.forEach(n -> n.awaitReady(Duration.ofSeconds(240)));
  }

  private void phase(String name) {
    if (load != null) {
      load.phase().end();
      ChaosPhase next = new ChaosPhase(name);
      System.out.println(java.time.LocalTime.now() + " chaos phase: " + name);
      phases.add(next);
      load.phase(next);
    }
  }

  /** The node whose PostgreSQL session holds the lock of {@code purpose} (its session name says so). */
  private NodeProcess holderOf(String purpose) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      String holder = holderNodeId(purpose);
      for (NodeProcess node : nodes) {
        if (holder != null && node.isAlive() && holder.equals(Database.sessionName(nodeId(node)))) {
          return node;
        }
      }
      Thread.sleep(250);
    }
    throw new AssertionError("No node holds " + purpose);
  }

  /** Milliseconds until a node other than {@code from} holds the lock of {@code purpose}. */
  private long awaitHolderOtherThan(String purpose, NodeProcess from) throws InterruptedException {
    long start = System.nanoTime();
    String old = Database.sessionName(nodeIds.get(from));
    while (System.nanoTime() - start < Duration.ofSeconds(60).toNanos()) {
      String holder = holderNodeId(purpose);
      if (holder != null && !holder.equals(old)) {
        return (System.nanoTime() - start) / 1_000_000;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(purpose + " still held by " + from.name() + " after 60 s");
  }

  /** The node's cluster id, from its readiness check; remembered, for when the node cannot answer. */
  private String nodeId(NodeProcess node) {
    try {
      JsonObject health = new JsonObject(http.send(HttpRequest.newBuilder(URI.create(node.baseUrl() + "/health/ready"))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body());
      for (Object check : health.getJsonArray("checks")) {
        JsonObject data = ((JsonObject) check).getJsonObject("data");
        if (data != null && data.getString("nodeId") != null) {
          nodeIds.put(node, data.getString("nodeId"));
        }
      }
    } catch (IOException | RuntimeException e) {
      // not answering now: the id it had
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return nodeIds.get(node);
  }

  /** The session name prefix (trader/ and the node's id) of the (only) session that holds the lock of {@code purpose}. */
  private String holderNodeId(String purpose) {
    try {
      var rows = pool.preparedQuery("select application_name from pg_stat_activity a join pg_locks l on l.pid = a.pid "
        + "where l.locktype = 'advisory' and l.granted and a.application_name like $1")
        .execute(io.vertx.sqlclient.Tuple.of("trader/% " + purpose)).await();
      if (rows.size() == 0) {
        return null;
      }
      String name = rows.iterator().next().getString(0);
      return name.substring(0, name.indexOf(' '));
    } catch (RuntimeException e) {
      return null; // PostgreSQL restarting
    }
  }

  /**
   * {@code pg_ctl restart -m fast} on the test's PostgreSQL: sessions are ended, open transactions roll back, the server
   * starts again with the same options.
   */
  private void restartPostgres() throws IOException, InterruptedException {
    long start = System.nanoTime();
    new PgCtl(dir).run("restart", "-m", "fast");
    events.add(String.format("PostgreSQL restarted (pg_ctl restart -m fast) in %d ms",
      (System.nanoTime() - start) / 1_000_000));
  }
}
