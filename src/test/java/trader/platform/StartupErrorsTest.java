package trader.platform;

import org.junit.jupiter.api.Test;
import trader.testing.NodeProcess;
import trader.testing.TestInfra;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What a user sees when the configuration is wrong or production infrastructure is unreachable. */
class StartupErrorsTest {

  @Test
  void unparsableValueStopsTheStartNamingTheKey() {
    NodeProcess node = NodeProcess.create("bad-config", Map.of("pg.pool-size", "lots")).start();
    assertThat(node.waitFor(Duration.ofSeconds(30))).isEqualTo(2);
    assertThat(node.output())
      .contains("Configuration error: Invalid value 'lots' for configuration key 'pg.pool-size' "
        + "(from environment variable TRADER_PG_POOL_SIZE): expected a whole number")
      .doesNotContain("\tat ");
  }

  @Test
  void productionModeWithoutAJwtSecretRefusesToStart() {
    int clusterPort = NodeProcess.freePort();
    NodeProcess node = NodeProcess.create("no-secret", Map.of(
      "pg.url", "postgresql://trader@127.0.0.1:" + NodeProcess.freePort() + "/trader",
      "kafka.bootstrap-servers", "127.0.0.1:" + NodeProcess.freePort(),
      "cluster.port", String.valueOf(clusterPort), "cluster.members", "127.0.0.1:" + clusterPort)).start();
    assertThat(node.waitFor(Duration.ofSeconds(60))).isEqualTo(2);
    assertThat(node.output()).contains("Configuration error: Configuration key 'auth.jwt-secret' is required in "
      + "production mode").doesNotContain("\tat ");
  }

  @Test
  void helpExplainsTheOptions() {
    NodeProcess node = NodeProcess.create("help", Map.of(), "--help").start();
    assertThat(node.waitFor(Duration.ofSeconds(30))).isZero();
    assertThat(node.output()).contains("Usage: trader", "--config=FILE", "dev mode");
  }

  @Test
  void unreachablePostgresInProductionIsRetriedAndReportedNotReady() throws Exception {
    int deadPort = NodeProcess.freePort();
    int clusterPort = NodeProcess.freePort();
    try (NodeProcess node = NodeProcess.create("no-postgres", Map.of(
      "pg.url", "postgresql://trader@127.0.0.1:" + deadPort + "/trader",
      "kafka.bootstrap-servers", TestInfra.kafkaBootstrap(),
      "cluster.port", String.valueOf(clusterPort), "cluster.members", "127.0.0.1:" + clusterPort,
      "infra.retry-max-delay-ms", "500", "auth.jwt-secret", "startup-test-jwt-secret-0123456789abcdef")).start()) {
      HttpResponse<String> ready = awaitHealth(node);
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.body()).contains("\"phase\":\"migrations\"");
      awaitOutput(node, "(attempt 3)");
      assertThat(node.isAlive()).isTrue();
      assertThat(node.output())
        .contains("PostgreSQL at 127.0.0.1:" + deadPort + "/trader not reachable (attempt 1): ")
        .doesNotContain("\tat ");
      assertThat(node.stop(Duration.ofSeconds(15))).isZero();
    }
  }

  private static HttpResponse<String> awaitHealth(NodeProcess node) throws InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        return http.send(HttpRequest.newBuilder(URI.create(node.baseUrl() + "/health/ready")).build(),
          HttpResponse.BodyHandlers.ofString());
      } catch (java.io.IOException e) {
        Thread.sleep(200);
      }
    }
    throw new AssertionError("No health endpoint:\n" + node.output());
  }

  private static void awaitOutput(NodeProcess node, String text) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!node.output().contains(text) && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertThat(node.output()).contains(text);
  }
}
