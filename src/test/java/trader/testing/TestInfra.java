package trader.testing;

import io.vertx.pgclient.PgConnectOptions;
import trader.platform.EmbeddedKafka;
import trader.platform.EmbeddedPostgresServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The PostgreSQL and Kafka every test of this JVM shares, started once: the external ones when
 * {@code TRADER_TEST_PG_URL} / {@code TRADER_TEST_KAFKA} are set, embedded ones otherwise.
 * Test classes isolate themselves with their own database ({@link TestDatabase}) and topic names.
 */
public final class TestInfra {

  private static EmbeddedPostgresServer postgres;
  private static EmbeddedKafka kafka;
  private static String pgUrl;
  private static String kafkaBootstrap;
  private static Path dir;

  private TestInfra() {
  }

  /** A {@code postgresql://} URL of a database the tests may create other databases from. */
  public static synchronized String adminPgUrl() {
    if (pgUrl == null) {
      String external = System.getenv("TRADER_TEST_PG_URL");
      if (external != null && !external.isBlank()) {
        pgUrl = external;
      } else {
        postgres = EmbeddedPostgresServer.start(dir("pg"), 0);
        pgUrl = postgres.url();
      }
    }
    return pgUrl;
  }

  public static PgConnectOptions adminPgOptions() {
    return PgConnectOptions.fromUri(adminPgUrl());
  }

  public static synchronized String kafkaBootstrap() {
    if (kafkaBootstrap == null) {
      String external = System.getenv("TRADER_TEST_KAFKA");
      if (external != null && !external.isBlank()) {
        kafkaBootstrap = external;
      } else {
        kafka = EmbeddedKafka.start(dir("kafka"), 0);
        kafkaBootstrap = kafka.bootstrapServers();
      }
    }
    return kafkaBootstrap;
  }

  /** A fresh directory under {@code target/test-infra} for this JVM, removed when the JVM exits. */
  public static synchronized Path dir(String name) {
    try {
      if (dir == null) {
        Path base = Path.of(System.getProperty("trader.test.dir", "target/test-infra"));
        Files.createDirectories(base);
        dir = Files.createTempDirectory(base, "run-");
        Runtime.getRuntime().addShutdownHook(new Thread(TestInfra::stop, "test-infra-stop"));
      }
      return Files.createDirectories(dir.resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static synchronized void stop() {
    if (kafka != null) {
      kafka.close();
    }
    if (postgres != null) {
      postgres.close();
    }
    deleteTree(dir);
  }

  public static void deleteTree(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
