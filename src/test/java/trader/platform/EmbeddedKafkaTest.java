package trader.platform;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.admin.Config;
import io.vertx.kafka.admin.ConfigEntry;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.NewTopic;
import io.vertx.kafka.admin.OffsetSpec;
import io.vertx.kafka.client.common.ConfigResource;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Collections;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmbeddedKafkaTest {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaTest.class);
  private static final int KEYS = 5;
  private static final int RECORDS = 100;

  private Vertx vertx;
  private Path dataDir;
  private EmbeddedKafka kafka;

  @BeforeEach
  void setUp() throws IOException {
    Path base = Path.of(System.getProperty("trader.test.dir", "target/test-infra"));
    Files.createDirectories(base);
    dataDir = Files.createTempDirectory(base, "kafka-");
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (kafka != null) {
      kafka.close();
    }
    await(vertx.close());
    deleteRecursively(dataDir);
  }

  @Test
  void recordsAreConsumedInOrderAndSurviveARestart() throws Exception {
    long t0 = System.nanoTime();
    kafka = EmbeddedKafka.start(dataDir, 0);
    long firstStartMs = millisSince(t0);
    assertThat(kafka.bootstrapServers()).matches("127\\.0\\.0\\.1:\\d+");
    assertThat(dataDir.resolve("logs/meta.properties")).exists();
    assertThat(dataDir.resolve("metadata/meta.properties")).exists();
    String clusterId = clusterId();

    // 3 partitions, so that "in order per key" is more than "in order"
    KafkaAdminClient admin = KafkaAdminClient.create(vertx, Map.of("bootstrap.servers", kafka.bootstrapServers()));
    await(admin.createTopics(List.of(new NewTopic("trades", 3, (short) 1))));
    await(admin.close());

    KafkaProducer<String, String> producer = KafkaProducer.create(vertx, Map.of(
        "bootstrap.servers", kafka.bootstrapServers(),
        "acks", "all",
        "enable.idempotence", "true",
        "key.serializer", "org.apache.kafka.common.serialization.StringSerializer",
        "value.serializer", "org.apache.kafka.common.serialization.StringSerializer"));
    List<Future<?>> sent = new ArrayList<>();
    for (int i = 0; i < RECORDS; i++) {
      String key = "k" + (i % KEYS);
      sent.add(producer.send(KafkaProducerRecord.create("trades", key, key + ":" + i / KEYS)));
    }
    await(Future.all(sent));
    await(producer.close());

    assertThat(endOffsets("trades")).as("records stored, no duplicates").isEqualTo(RECORDS);
    assertInOrderPerKey(consumeAll("trades", "first-reader", RECORDS));
    assertThat(committedOffsets("first-reader", "trades")).as("manual commit").isEqualTo(RECORDS);

    // restart on the same directory with a different controller port
    int oldControllerPort = kafka.controllerPort();
    long t1 = System.nanoTime();
    kafka.close();
    long closeMs = millisSince(t1);
    kafka.close(); // idempotent
    int newControllerPort = freePortOtherThan(oldControllerPort);
    long t2 = System.nanoTime();
    kafka = EmbeddedKafka.start(dataDir, 0, newControllerPort);
    long restartMs = millisSince(t2);
    assertThat(kafka.controllerPort()).isNotEqualTo(oldControllerPort);
    assertThat(clusterId()).isEqualTo(clusterId);

    assertThat(endOffsets("trades")).isEqualTo(RECORDS);
    assertInOrderPerKey(consumeAll("trades", "second-reader", RECORDS));
    assertThat(committedOffsets("first-reader", "trades")).as("offsets survive too").isEqualTo(RECORDS);

    System.gc();
    long heapMiB = (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20;
    LOG.info("Embedded Kafka: first start (format + start) {} ms, close {} ms, restart {} ms, heap used after GC {} MiB",
        firstStartMs, closeMs, restartMs, heapMiB);
  }

  @Test
  void compactedTopicCanBeCreated() throws Exception {
    kafka = EmbeddedKafka.start(dataDir, 0);
    KafkaAdminClient admin = KafkaAdminClient.create(vertx, Map.of("bootstrap.servers", kafka.bootstrapServers()));
    try {
      await(admin.createTopics(List.of(new NewTopic("prices", 1, (short) 1)
          .setConfig(Map.of("cleanup.policy", "compact")))));

      assertThat(await(admin.listTopics())).contains("prices");
      ConfigResource resource = new ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.TOPIC, "prices");
      Config config = await(admin.describeConfigs(List.of(resource))).get(resource);
      assertThat(config.getEntries())
          .filteredOn(e -> e.getName().equals("cleanup.policy"))
          .extracting(ConfigEntry::getValue)
          .containsExactly("compact");
    } finally {
      await(admin.close());
    }
  }

  @Test
  void transactionsWork() throws Exception {
    kafka = EmbeddedKafka.start(dataDir, 0);
    KafkaProducer<String, String> producer = KafkaProducer.create(vertx, Map.of(
        "bootstrap.servers", kafka.bootstrapServers(),
        "transactional.id", "tx-test",
        "key.serializer", "org.apache.kafka.common.serialization.StringSerializer",
        "value.serializer", "org.apache.kafka.common.serialization.StringSerializer"));
    await(producer.initTransactions());
    // topic "orders" does not exist: created on first use (auto.create.topics.enable)
    transaction(producer, true, "c1", "c2", "c3");
    transaction(producer, false, "a1", "a2");
    transaction(producer, true, "end");
    await(producer.close());

    List<KafkaConsumerRecord<String, String>> records =
        consume("orders", "tx-reader", Map.of("isolation.level", "read_committed"), r -> r.value().equals("end"));
    assertThat(records).extracting(KafkaConsumerRecord::value).containsExactly("c1", "c2", "c3", "end");
  }

  @Test
  void twoBrokersCannotShareADirectory() {
    kafka = EmbeddedKafka.start(dataDir, 0);
    // Kafka's lock on the metadata dir refuses the second one; an exception, not a JVM halt
    assertThatThrownBy(() -> EmbeddedKafka.start(dataDir, 0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("did not start");
    // the running one is unaffected
    KafkaAdminClient admin = KafkaAdminClient.create(vertx, Map.of("bootstrap.servers", kafka.bootstrapServers()));
    try {
      await(admin.createTopics(List.of(new NewTopic("still-there", 1, (short) 1))));
      assertThat(await(admin.listTopics())).contains("still-there");
    } finally {
      await(admin.close());
    }
  }

  private void transaction(KafkaProducer<String, String> producer, boolean commit, String... values) {
    await(producer.beginTransaction());
    List<Future<?>> sent = new ArrayList<>();
    for (String v : values) {
      sent.add(producer.send(KafkaProducerRecord.create("orders", "o", v)));
    }
    await(Future.all(sent));
    await(commit ? producer.commitTransaction() : producer.abortTransaction());
  }

  private static void assertInOrderPerKey(List<KafkaConsumerRecord<String, String>> records) {
    assertThat(records).hasSize(RECORDS);
    Map<String, List<Integer>> seqByKey = new LinkedHashMap<>();
    for (KafkaConsumerRecord<String, String> r : records) {
      assertThat(r.value()).startsWith(r.key() + ":");
      seqByKey.computeIfAbsent(r.key(), k -> new ArrayList<>())
          .add(Integer.parseInt(r.value().substring(r.key().length() + 1)));
    }
    List<Integer> expected = IntStream.range(0, RECORDS / KEYS).boxed().toList();
    assertThat(seqByKey).hasSize(KEYS);
    seqByKey.forEach((key, seqs) -> assertThat(seqs).as("values of %s", key).isEqualTo(expected));
  }

  /** Reads from the beginning with a new group until {@code count} records arrived, then commits. */
  private List<KafkaConsumerRecord<String, String>> consumeAll(String topic, String group, int count) {
    return consume(topic, group, Map.of(), new java.util.function.Predicate<>() {
      private int seen;

      @Override
      public boolean test(KafkaConsumerRecord<String, String> r) {
        return ++seen == count;
      }
    });
  }

  private List<KafkaConsumerRecord<String, String>> consume(
      String topic, String group, Map<String, String> extra,
      java.util.function.Predicate<KafkaConsumerRecord<String, String>> last) {
    Map<String, String> config = new HashMap<>(Map.of(
        "bootstrap.servers", kafka.bootstrapServers(),
        "group.id", group,
        "auto.offset.reset", "earliest",
        "enable.auto.commit", "false",
        "key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer",
        "value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer"));
    config.putAll(extra);
    KafkaConsumer<String, String> consumer = KafkaConsumer.create(vertx, config);
    List<KafkaConsumerRecord<String, String>> records = Collections.synchronizedList(new ArrayList<>());
    CompletableFuture<Void> done = new CompletableFuture<>();
    // the handler runs on one event loop thread, one record after another
    consumer.handler(r -> {
      records.add(r);
      if (last.test(r)) {
        done.complete(null);
      }
    });
    consumer.exceptionHandler(done::completeExceptionally);
    try {
      await(consumer.subscribe(topic));
      done.get(60, TimeUnit.SECONDS);
      await(consumer.commit());
    } catch (Exception e) {
      throw new AssertionError("consumed " + records.size() + " records from " + topic, e);
    } finally {
      await(consumer.close());
    }
    synchronized (records) {
      return List.copyOf(records);
    }
  }

  private long endOffsets(String topic) {
    KafkaAdminClient admin = KafkaAdminClient.create(vertx, Map.of("bootstrap.servers", kafka.bootstrapServers()));
    try {
      int partitions = await(admin.describeTopics(List.of(topic))).get(topic).getPartitions().size();
      Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        specs.put(new TopicPartition(topic, p), OffsetSpec.LATEST);
      }
      return await(admin.listOffsets(specs)).values().stream().mapToLong(i -> i.getOffset()).sum();
    } finally {
      await(admin.close());
    }
  }

  private long committedOffsets(String group, String topic) {
    KafkaAdminClient admin = KafkaAdminClient.create(vertx, Map.of("bootstrap.servers", kafka.bootstrapServers()));
    try {
      Map<TopicPartition, OffsetAndMetadata> offsets = await(admin.listConsumerGroupOffsets(group));
      return offsets.entrySet().stream()
          .filter(e -> e.getKey().getTopic().equals(topic))
          .mapToLong(e -> e.getValue().getOffset())
          .sum();
    } finally {
      await(admin.close());
    }
  }

  private String clusterId() throws IOException {
    var props = new java.util.Properties();
    try (var in = Files.newInputStream(dataDir.resolve("logs/meta.properties"))) {
      props.load(in);
    }
    return props.getProperty("cluster.id");
  }

  private static int freePortOtherThan(int port) throws IOException {
    while (true) {
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
        if (s.getLocalPort() != port) {
          return s.getLocalPort();
        }
      }
    }
  }

  private static long millisSince(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    assertThat(dir).doesNotExist();
  }
}
