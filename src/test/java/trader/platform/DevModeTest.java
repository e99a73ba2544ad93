package trader.platform;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.SqlClient;
import org.junit.jupiter.api.Test;
import trader.testing.NodeProcess;
import trader.testing.TestInfra;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's run command in a JVM of its own: no Postgres or Kafka configured, so both start embedded; SIGTERM
 * stops it cleanly within 10 s; a second run on the same data directory finds the first run's data.
 */
class DevModeTest {

  @Test
  void embeddedInfrastructureKeepsItsDataAcrossRestarts() throws Exception {
    Path data = TestInfra.dir("dev-mode-data");
    Map<String, String> config = Map.of("data.dir", data.toString(),
      "cluster.port", String.valueOf(NodeProcess.freePort()),
      "pg.embedded-port", String.valueOf(NodeProcess.freePort()));
    config = new java.util.HashMap<>(config);
    config.put("cluster.members", "127.0.0.1:" + config.get("cluster.port"));

    NodeProcess first = NodeProcess.create("dev-1", config).start();
    try {
      first.awaitReady(Duration.ofSeconds(120));
      long start = System.nanoTime();
      assertThat(first.stop(Duration.ofSeconds(15))).isZero();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    } finally {
      first.close();
    }
    String firstLog = first.output();
    assertThat(firstLog).contains("postgres", "kafka", "cluster", "migrations", "UI at http://localhost:")
      .contains("Stopped in").doesNotContain("\tat ");
    assertThat(Files.isDirectory(data.resolve("postgres"))).isTrue();
    assertThat(Files.isDirectory(data.resolve("kafka"))).isTrue();

    NodeProcess second = NodeProcess.create("dev-2", config).start();
    try {
      second.awaitReady(Duration.ofSeconds(120));
      // both starts are in the embedded database of the same data directory
      assertThat(countStarts(Integer.parseInt(config.get("pg.embedded-port")))).isEqualTo(2);
      assertThat(second.stop(Duration.ofSeconds(15))).isZero();
    } finally {
      second.close();
    }
  }

  private static long countStarts(int port) {
    Vertx vertx = Vertx.vertx();
    try {
      SqlClient client = PgBuilder.client().connectingTo(new PgConnectOptions().setHost("127.0.0.1").setPort(port)
        .setUser("postgres").setDatabase("postgres")).using(vertx).build();
      return client.query("select count(*) from node_start").execute().await().iterator().next().getLong(0);
    } finally {
      vertx.close().await();
    }
  }
}
