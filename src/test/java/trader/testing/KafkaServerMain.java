package trader.testing;

import trader.platform.EmbeddedKafka;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * A Kafka broker in a JVM of its own ({@code KafkaServerMain <data dir> <port>}), for tests that stop and restart the
 * broker as a real process: its data and port stay, so a restart finds its topics and offsets. SIGTERM shuts it down
 * in a controlled way.
 */
public final class KafkaServerMain {

  private KafkaServerMain() {
  }

  public static void main(String[] args) throws InterruptedException {
    EmbeddedKafka kafka = EmbeddedKafka.start(Path.of(args[0]), Integer.parseInt(args[1]));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      kafka.close();
      stopped.countDown();
    }, "kafka-stop"));
    System.out.println("Kafka ready at " + kafka.bootstrapServers());
    stopped.await();
  }
}
