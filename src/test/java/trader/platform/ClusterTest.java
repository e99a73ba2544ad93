package trader.platform;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.testing.NodeProcess;
import trader.testing.TestDatabase;
import trader.testing.TestInfra;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Two JVMs on loopback form one Hazelcast cluster and exchange event-bus messages both ways. */
class ClusterTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase();

  @Test
  void nodeInAnotherJvmJoinsAndAnswersOverTheEventBus() throws Exception {
    int childPort = NodeProcess.freePort();
    int ownPort = NodeProcess.freePort();
    String members = "127.0.0.1:" + childPort + ",127.0.0.1:" + ownPort;
    Map<String, String> config = Map.of("pg.url", db.url(), "kafka.bootstrap-servers", TestInfra.kafkaBootstrap(),
      "auth.jwt-secret", "cluster-test-jwt-secret-0123456789abcdef",
      "cluster.port", String.valueOf(childPort), "cluster.members", members);

    try (NodeProcess child = NodeProcess.create("cluster-child", config).start()) {
      child.awaitReady(Duration.ofSeconds(90));

      Settings ownSettings = Settings.of(Map.of("cluster.port", ownPort, "cluster.members", members));
      HazelcastClusterManager manager = Cluster.manager(ownSettings);
      Vertx own = Vertx.builder().with(Cluster.vertxOptions(ownSettings)).withClusterManager(manager)
        .buildClustered().await();
      try {
        awaitMembers(manager, 2);

        // this JVM → the child: the child's node answers with its name
        Message<JsonObject> reply = own.eventBus().<JsonObject>request(Node.NODE_INFO_ADDRESS, new JsonObject())
          .await(15, TimeUnit.SECONDS);
        assertThat(reply.body().getString("node")).isEqualTo("cluster-child");
        assertThat(reply.body().getString("nodeId")).isNotEqualTo(manager.getNodeId());

        // and the child sees two members too
        String ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(child.baseUrl()
          + "/health/ready")).build(), HttpResponse.BodyHandlers.ofString()).body();
        JsonObject cluster = new JsonObject(ready).getJsonArray("checks").stream().map(JsonObject.class::cast)
          .filter(c -> c.getString("id").equals("cluster")).findFirst().orElseThrow();
        assertThat(cluster.getJsonObject("data").getInteger("members")).isEqualTo(2);
      } finally {
        own.close().await();
      }
      assertThat(child.stop(Duration.ofSeconds(15))).isZero();
    }
  }

  private static void awaitMembers(HazelcastClusterManager manager, int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (manager.getNodes().size() < count && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(manager.getNodes()).hasSize(count);
  }
}
