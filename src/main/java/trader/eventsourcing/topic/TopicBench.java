package trader.eventsourcing.topic;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import io.vertx.sqlclient.Pool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import trader.eventsourcing.journal.Journal;
import trader.eventsourcing.journal.Position;
import trader.eventsourcing.journal.StoredEvent;
import trader.eventsourcing.journal.Upcasters;
import trader.eventsourcing.projection.ProjectionBench;
import trader.eventsourcing.projection.ProjectionOptions;
import trader.eventsourcing.projection.ProjectionProgress;
import trader.eventsourcing.projection.Projections;
import trader.platform.BenchReport;
import trader.platform.EmbeddedKafka;
import trader.platform.ScratchDatabase;
import trader.platform.Settings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * {@code trader bench topic}: journal → Kafka publishing rate of a {@link TopicPublisher} compared with a plain
 * Kafka producer (same settings) sending the same records, in the same run.
 */
@Command(name = "topic", mixinStandardHelpOptions = true,
  description = "Journal-to-Kafka publishing rate vs a plain Kafka producer sending the same records.")
public final class TopicBench implements Callable<Integer> {

  @Option(names = "--config", paramLabel = "FILE", description = "A JSON configuration file over the defaults.")
  Path config;

  @Option(names = "--events", defaultValue = "200000", description = "events to publish")
  int events;

  @Option(names = "--batch", defaultValue = "2000", description = "events per publisher transaction")
  int batch;

  @Option(names = "--json", description = "print one JSON object instead of a table")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Settings settings = BenchReport.settings(config);
    Vertx vertx = trader.platform.Cluster.localVertx();
    EmbeddedKafka kafka = null;
    Path kafkaDir = null;
    try (ScratchDatabase scratch = ScratchDatabase.create(vertx, settings, "bench_topic")) {
      String bootstrap = settings.string("kafka.bootstrap-servers");
      if (bootstrap.isBlank()) {
        kafkaDir = Files.createTempDirectory(Files.createDirectories(Path.of(settings.string("data.dir"))),
          "bench-kafka-");
        kafka = EmbeddedKafka.start(kafkaDir, 0);
        bootstrap = kafka.bootstrapServers();
      }
      Pool pool = scratch.database().pool(vertx);
      Journal journal = Journal.create(vertx, pool, Upcasters.none());
      BenchReport report = new BenchReport("topic", scratch.serverVersion());
      ProjectionBench.fill(pool, events);
      String run = UUID.randomUUID().toString().substring(0, 8);

      // the same records, read from the journal beforehand so that the baseline measures Kafka alone
      List<TopicMessage> messages = new ArrayList<>(events);
      Position at = Position.START;
      while (true) {
        List<StoredEvent> page = journal.readAll(at, 10_000).await();
        if (page.isEmpty()) {
          break;
        }
        page.forEach(e -> messages.add(TopicMessage.of(e)));
        at = page.get(page.size() - 1).position();
      }
      KafkaProducer<String, String> producer = KafkaProducer.create(vertx,
        TopicPublisher.producerConfig(bootstrap, "bench-plain"));
      String plainTopic = "bench-plain-" + run;
      producer.send(KafkaProducerRecord.create(plainTopic, "warm-up", "{}")).await();
      long start = System.nanoTime();
      List<Future<?>> acks = new ArrayList<>(messages.size());
      for (TopicMessage m : messages) {
        acks.add(producer.send(KafkaProducerRecord.create(plainTopic, m.key(), m.value().encode())));
      }
      Future.all(acks).await();
      double plain = messages.size() / ((System.nanoTime() - start) / 1e9);
      producer.close().await();
      report.row("plain producer, same records", "events/s", plain, null);

      TopicPublisher publisher = TopicPublisher.create(vertx, bootstrap, "bench_publish", "bench-journal-" + run,
        e -> true, TopicMessage::of);
      // published = the publisher's runner reported passing the last event (after Kafka acknowledged it); its stored
      // offset trails that by up to ShardRunner.UNRECORDED_MS
      ProjectionProgress progress = ProjectionProgress.create(vertx, pool);
      start = System.nanoTime();
      Projections runtime = Projections.create(vertx, scratch.database().connectOptions(), journal, null,
        new SimpleMeterRegistry(), ProjectionOptions.DEFAULT.withBatchSize(batch)).register(publisher);
      progress.await("bench_publish", at, java.time.Duration.ofMinutes(10)).await();
      double rate = events / ((System.nanoTime() - start) / 1e9);
      progress.close().await();
      report.row("journal -> Kafka (TopicPublisher, batch " + batch + ")", "events/s", rate, rate / plain);
      runtime.close().await();
      publisher.close().await();
      report.print(json, System.out);
    } finally {
      vertx.close().await();
      if (kafka != null) {
        kafka.close();
        try (var paths = Files.walk(kafkaDir)) {
          paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
    return 0;
  }
}
