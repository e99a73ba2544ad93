package trader.testing;

import trader.platform.Settings;

import java.util.HashMap;
import java.util.Map;

/** Settings of a whole node running in the test's JVM on a test class's database, topics and free ports. */
public final class TestNodes {

  private TestNodes() {
  }

  /**
   * A single-node cluster on {@code db} (its name prefixes the topics), the shared Kafka, loopback ports chosen
   * free, a test JWT key and a cheap password hash; {@code overrides} win.
   */
  public static Settings settings(TestDatabase db, Map<String, ?> overrides) {
    int clusterPort = NodeProcess.freePort();
    Map<String, Object> values = new HashMap<>(Map.of(
      "pg.url", db.url(),
      "kafka.bootstrap-servers", TestInfra.kafkaBootstrap(),
      "kafka.topic-prefix", db.name() + ".",
      "http.host", "127.0.0.1",
      "http.port", NodeProcess.freePort(),
      "cluster.port", clusterPort,
      "cluster.members", "127.0.0.1:" + clusterPort,
      "auth.jwt-secret", "test-node-jwt-secret-0123456789abcdefgh",
      "auth.pbkdf2-iterations", 10_000));
    values.putAll(overrides);
    return Settings.of(values);
  }
}
