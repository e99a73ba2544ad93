package trader.platform;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code trader kafka}: the dev-mode Kafka broker on its own, for nodes (or a benchmark) that should not carry it in
 * their JVM. Prints {@code READY <bootstrap servers>} once it takes clients; stops on SIGTERM or Ctrl-C. Not for
 * production: one broker, no replication, no security.
 */
@Command(name = "kafka", mixinStandardHelpOptions = true,
  description = "Runs the embedded single-broker Kafka on its own (dev and benchmarks; not for production).")
public final class KafkaCommand implements Callable<Integer> {

  @Option(names = "--port", defaultValue = "9092", description = "client port on 127.0.0.1 (0: a free one)")
  int port;

  @Option(names = "--data-dir", required = true, paramLabel = "DIR", description = "the broker's storage")
  Path dataDir;

  @Override
  public Integer call() throws InterruptedException {
    EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, port);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      kafka.close();
      stopped.countDown();
    }, "kafka-shutdown"));
    System.out.println("READY " + kafka.bootstrapServers());
    System.out.flush();
    stopped.await();
    return 0;
  }
}
