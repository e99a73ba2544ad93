package trader.platform;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.testing.NodeProcess;
import trader.testing.TestDatabase;
import trader.testing.TestInfra;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/** A node in this JVM against the test PostgreSQL and Kafka, exercised over real HTTP. */
class NodeTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase(false);

  static final String ADMIN_TOKEN = "test-admin-token-0123456789abcdef";
  static Node node;
  static Vertx client;
  static WebClient http;

  @BeforeAll
  static void start() {
    int clusterPort = NodeProcess.freePort();
    node = Node.start(Settings.of(Map.of(
      "pg.url", db.url(),
      "kafka.bootstrap-servers", TestInfra.kafkaBootstrap(),
      "http.port", NodeProcess.freePort(),
      "http.host", "127.0.0.1",
      "http.body-limit-bytes", 2048,
      "cluster.port", clusterPort,
      "cluster.members", "127.0.0.1:" + clusterPort,
      "node.name", "node-test",
      "admin.token", ADMIN_TOKEN,
      "auth.jwt-secret", "node-test-jwt-secret-0123456789abcdef")));
    client = Vertx.vertx();
    http = WebClient.create(client, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(node.httpPort()));
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close().await();
    }
    if (node != null) {
      node.close();
    }
  }

  @Test
  void readyReportsPostgresKafkaAndCluster() {
    HttpResponse<Buffer> r = http.get("/health/ready").send().await();
    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject body = r.bodyAsJsonObject();
    assertThat(body.getString("outcome")).isEqualTo("UP");
    List<String> ids = body.getJsonArray("checks").stream().map(c -> ((JsonObject) c).getString("id")).toList();
    assertThat(ids).contains("postgres", "kafka", "cluster", "node");
    assertThat(http.get("/health/live").send().await().statusCode()).isEqualTo(200);
  }

  @Test
  void migrationsRanAndTheStartIsRecorded() {
    Pool pool = node.pool();
    long starts = pool.query("select count(*) from node_start where node_name = 'node-test'").execute().await()
      .iterator().next().getLong(0);
    assertThat(starts).isEqualTo(1);
  }

  @Test
  void metricsInPrometheusFormat() {
    http.get("/api/info").send().await();
    // no management port: the metrics are for the admin token only
    assertThat(http.get("/metrics").send().await().statusCode()).isEqualTo(401);
    String text = http.get("/metrics").bearerTokenAuthentication(ADMIN_TOKEN).send().await().bodyAsString();
    assertThat(text).contains("jvm_memory_used_bytes", "vertx_http_server_requests_total", "vertx_pool_");
  }

  @Test
  void apiRouteFromTheContract() {
    HttpResponse<Buffer> r = http.get("/api/info").send().await();
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getString("node")).isEqualTo("node-test");
    assertThat(r.bodyAsJsonObject().getInteger("clusterMembers")).isEqualTo(1);
  }

  @Test
  void errorsAreProblemDocuments() {
    HttpResponse<Buffer> notFound = http.get("/api/nothing-here").send().await();
    assertThat(notFound.statusCode()).isEqualTo(404);
    assertThat(notFound.getHeader("Content-Type")).isEqualTo(Problems.CONTENT_TYPE);
    assertThat(notFound.bodyAsJsonObject().getString("detail")).isEqualTo("No resource at /api/nothing-here");

    HttpResponse<Buffer> method = http.delete("/api/info").send().await();
    assertThat(method.statusCode()).isEqualTo(405);
    assertThat(method.getHeader("Content-Type")).isEqualTo(Problems.CONTENT_TYPE);
  }

  @Test
  void bodiesOverTheLimitAre413() {
    HttpResponse<Buffer> r = http.post("/api/info").putHeader("Content-Type", "application/json")
      .sendBuffer(Buffer.buffer("{\"x\":\"" + "a".repeat(4096) + "\"}")).await();
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(r.getHeader("Content-Type")).isEqualTo(Problems.CONTENT_TYPE);
  }

  @Test
  void adminApiNeedsTheTokenAndValidatesItsInput() {
    HttpResponse<Buffer> none = http.get("/api/admin/projections").send().await();
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.getHeader("Content-Type")).isEqualTo(Problems.CONTENT_TYPE);
    assertThat(http.get("/api/admin/projections").putHeader("X-Admin-Token", ADMIN_TOKEN + "x").send().await()
      .statusCode()).isEqualTo(401);

    HttpResponse<Buffer> list = http.get("/api/admin/projections").putHeader("X-Admin-Token", ADMIN_TOKEN).send()
      .await();
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(list.bodyAsJsonObject().getJsonArray("shards")).isNotNull();

    HttpResponse<Buffer> badName = http.post("/api/admin/projections/Not-A-Name/rebuild")
      .putHeader("X-Admin-Token", ADMIN_TOKEN).send().await();
    assertThat(badName.statusCode()).isEqualTo(400);
    assertThat(badName.getHeader("Content-Type")).isEqualTo(Problems.CONTENT_TYPE);
    assertThat(badName.bodyAsJsonObject().getString("detail")).contains("name");

    HttpResponse<Buffer> rebuild = http.post("/api/admin/projections/nothing_runs_this/rebuild")
      .putHeader("X-Admin-Token", ADMIN_TOKEN).send().await();
    assertThat(rebuild.statusCode()).isEqualTo(202);
    String location = rebuild.getHeader("Location");
    assertThat(location).startsWith("/api/admin/projection-rebuilds/");
    JsonObject status = http.get(location).putHeader("X-Admin-Token", ADMIN_TOKEN).send().await().bodyAsJsonObject();
    assertThat(status.getBoolean("started")).isFalse();
    assertThat(status.getBoolean("finished")).isFalse();
  }

  @Test
  void servesTheUi() {
    HttpResponse<Buffer> r = http.get("/").send().await();
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsString()).contains("Reactive Stock Trader");
  }

  @Test
  void concurrentMigrationsApplyEachOnce() throws Exception {
    TestDatabaseScope scope = new TestDatabaseScope();
    try (var pool = Executors.newFixedThreadPool(3)) {
      List<CompletableFuture<Integer>> runs = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        runs.add(CompletableFuture.supplyAsync(() -> scope.database.migrate().migrationsExecuted, pool));
      }
      int applied = 0;
      for (var run : runs) {
        applied += run.get();
      }
      int migrations = scope.count("select count(*) from flyway_schema_history where success");
      assertThat(applied).isEqualTo(migrations).isPositive();
      assertThat(scope.count("select count(*) from flyway_schema_history where not success")).isZero();
    } finally {
      scope.close();
    }
  }

  /** A second, empty database next to the class's one, for the concurrent migration race. */
  private static final class TestDatabaseScope implements AutoCloseable {
    final String name = db.name() + "_m";
    final Database database;

    TestDatabaseScope() {
      node.pool().query("create database " + name).execute().await();
      database = Database.create(db.options().setDatabase(name), 2);
    }

    int count(String sql) {
      Vertx vertx = Vertx.vertx();
      try {
        Pool pool = database.pool(vertx);
        return pool.query(sql).execute().await().iterator().next().getLong(0).intValue();
      } finally {
        vertx.close().await();
      }
    }

    @Override
    public void close() {
      node.pool().query("drop database if exists " + name + " with (force)").execute().await();
    }
  }
}
