package trader.eventsourcing.topic;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.KafkaConsumerRecords;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.eventsourcing.journal.Journal;
import trader.eventsourcing.journal.NewEvent;
import trader.eventsourcing.journal.Upcasters;
import trader.eventsourcing.projection.ProjectionOptions;
import trader.eventsourcing.projection.Projections;
import trader.testing.TestDatabase;
import trader.testing.TestInfra;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

class TopicTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase();

  Vertx vertx;
  Pool pool;
  Journal journal;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    pool = db.database().pool(vertx);
    journal = Journal.create(vertx, pool, Upcasters.none());
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  @Test
  void publisherKilledTenTimesDeliversEveryEventAndTheSubscriberAppliesEachOnce() throws Exception {
    String topic = db.topic("published");
    int streams = 100;
    int perStream = 60;
    List<Future<?>> appends = new ArrayList<>();
    for (int s = 0; s < streams; s++) {
      List<NewEvent> events = new ArrayList<>();
      for (int v = 1; v <= perStream; v++) {
        events.add(NewEvent.of(v % 10 == 0 ? "test.private" : "test.published", new JsonObject().put("n", v)));
      }
      appends.add(journal.append("pub-" + s, 0, events));
    }
    Future.all(appends).await();
    Set<String> selected = new HashSet<>();
    for (Row r : pool.query("select event_id from journal where event_type = 'test.published'").execute().await()) {
      selected.add(r.getUUID(0).toString());
    }

    Random random = new Random(42);
    int midStream = 0;
    for (int kill = 0; kill < 10; kill++) {
      File log = new File(TestInfra.dir("logs").toFile(), "publisher-" + kill + ".log");
      Process child = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "-Xmx256m",
        "-cp", System.getProperty("java.class.path"), PublisherProcess.class.getName(), db.url(),
        TestInfra.kafkaBootstrap(), topic)
        .redirectErrorStream(true).redirectOutput(log).start();
      awaitLine(log, "publishing");
      // kill only once this publisher has committed something of its own: then it dies mid-stream
      long before = publishedSoFar();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (publishedSoFar() == before && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      Thread.sleep(random.nextInt(300));
      child.destroyForcibly().waitFor();
      long applied = publishedSoFar();
      if (applied > 0 && applied < selected.size()) {
        midStream++;
      }
    }
    assertThat(midStream).as("kills that interrupted publishing").isGreaterThanOrEqualTo(5);

    // a last publisher finishes the job
    TopicPublisher publisher = TopicPublisher.create(vertx, TestInfra.kafkaBootstrap(), "publish_test", topic,
      e -> e.type().equals("test.published"), TopicMessage::of);
    Projections runtime = Projections.create(vertx, db.options(), journal, null, new SimpleMeterRegistry(),
      ProjectionOptions.DEFAULT).register(publisher);

    // the subscriber's effect: one state change per distinct event, whatever the redeliveries
    pool.query("create table effects (event_id uuid primary key, stream_id text not null, version bigint not null)")
      .execute().await();
    Map<String, List<Long>> versionsByKey = new ConcurrentHashMap<>();
    List<String> received = java.util.Collections.synchronizedList(new ArrayList<>());
    TopicSubscriber subscriber = TopicSubscriber.start(vertx, TestInfra.kafkaBootstrap(), topic, "effects-group", 3,
      message -> {
        received.add(message.eventId());
        versionsByKey.computeIfAbsent(message.key(), k -> java.util.Collections.synchronizedList(new ArrayList<>()))
          .add(message.value().getLong("version"));
        return pool.preparedQuery("insert into effects (event_id, stream_id, version) values ($1, $2, $3) "
            + "on conflict do nothing")
          .execute(Tuple.of(UUID.fromString(message.eventId()), message.value().getString("streamId"),
            message.value().getLong("version"))).mapEmpty();
      });
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (count("select count(*) from effects") < selected.size() && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    // a publisher records its offset at most every 500 ms, and once idle at its next poll
    while (publishedSoFar() < selected.size() && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    Thread.sleep(1000);
    subscriber.close().await();
    runtime.close().await();
    publisher.close().await();

    assertThat(new HashSet<>(received)).isEqualTo(selected);
    // the publisher's offset counted every selected event exactly once, whatever was sent twice
    assertThat(publishedSoFar()).isEqualTo(selected.size());
    assertThat(count("select count(*) from effects")).isEqualTo(selected.size());
    System.out.printf("published %d events, received %d messages (%d redelivered after kills)%n", selected.size(),
      received.size(), received.size() - selected.size());
    // per key the versions arrive in order: a redelivery may repeat a run, never go back past it unseen
    for (Map.Entry<String, List<Long>> e : versionsByKey.entrySet()) {
      List<Long> firstSeen = e.getValue().stream().distinct().toList();
      assertThat(firstSeen).as("order of stream %s", e.getKey()).isSorted();
    }
  }

  @Test
  void poisonMessagesGoToTheDeadLetterTopicWithTheirReasonAndConsumptionContinues() throws Exception {
    String topic = db.topic("poison");
    KafkaProducer<String, String> producer = producer();
    String good1 = envelope("good-1", false);
    String failing = envelope("fails", true);
    String good2 = envelope("good-2", false);
    for (String value : List.of(good1, "{not json", failing, good2)) {
      producer.send(KafkaProducerRecord.create(topic, "k", value)).await();
    }
    producer.close().await();

    List<String> handled = java.util.Collections.synchronizedList(new ArrayList<>());
    TopicSubscriber subscriber = TopicSubscriber.start(vertx, TestInfra.kafkaBootstrap(), topic, "poison-group", 3,
      message -> {
        if (message.payload().getBoolean("fail")) {
          return Future.failedFuture(new TopicSubscriber.Refused("cannot handle " + message.eventId()));
        }
        handled.add(message.eventId());
        return Future.succeededFuture();
      });
    List<KafkaConsumerRecord<String, String>> dead = consume(topic + TopicSubscriber.DLQ_SUFFIX, 2);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (handled.size() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    subscriber.close().await();

    assertThat(handled).containsExactly("good-1", "good-2");
    assertThat(dead).hasSize(2);
    assertThat(dead.get(0).value()).isEqualTo("{not json");
    assertThat(header(dead.get(0), "dlq.reason")).startsWith("not JSON");
    assertThat(dead.get(1).value()).isEqualTo(failing);
    assertThat(header(dead.get(1), "dlq.reason")).isEqualTo("handler failed 3 times: cannot handle fails");
    assertThat(header(dead.get(1), "dlq.topic")).isEqualTo(topic);
  }

  /**
   * A message holding text PostgreSQL cannot store (in its key, a value or a field name, however deep) goes to the
   * dead-letter topic at once, its handler never called: whatever it made of it would fail where it is written. A
   * handler failing with the journal's refusal of such text is refused too, not waited for as if a service were
   * down. The messages after them on the same key are handled.
   */
  @Test
  void textTheDatabaseCannotStoreIsDeadLetteredAndNeverHandled() throws Exception {
    String topic = db.topic("unstorable");
    KafkaProducer<String, String> producer = producer();
    String nul = new JsonObject().put("type", "test.message").put("schemaVersion", 1).put("eventId", "nul")
      .put("streamId", "k").put("version", 1).put("payload", new JsonObject().put("name", "a\u0000b")).encode();
    // written as JSON escapes: a lone surrogate itself would reach Kafka as '?' (UTF-8 has no encoding for it)
    String lone = "{\"type\":\"test.message\",\"schemaVersion\":1,\"eventId\":\"lone\",\"streamId\":\"k\","
      + "\"version\":1,\"payload\":{\"legs\":[{\"x\\ud800\":1}]}}";
    String derived = new JsonObject().put("type", "test.message").put("schemaVersion", 1).put("eventId", "derived")
      .put("streamId", "k").put("version", 1).put("payload", new JsonObject().put("derive", true)).encode();
    for (String value : List.of(envelope("good-1", false), nul, lone, derived, envelope("good-2", false))) {
      producer.send(KafkaProducerRecord.create(topic, "k", value)).await();
    }
    producer.send(KafkaProducerRecord.create(topic, "ba\u0000d", envelope("bad-key", false))).await();
    producer.close().await();

    List<String> handled = java.util.Collections.synchronizedList(new ArrayList<>());
    TopicSubscriber subscriber = TopicSubscriber.start(vertx, TestInfra.kafkaBootstrap(), topic, "unstorable-group",
      3, message -> {
        handled.add(message.eventId());
        if (message.payload().getBoolean("derive", false)) {
          return Future.failedFuture(new trader.eventsourcing.entity.CommandFailedException("account", "a-1",
            "refused", new trader.eventsourcing.UnstorableTextException("the journal cannot store it")));
        }
        // the handler's effect: the payload stored
        return journal.append("unstorable-" + message.eventId(), 0, List.of(NewEvent.of("test.message",
          message.payload()))).mapEmpty();
      });
    List<KafkaConsumerRecord<String, String>> dead = consume(topic + TopicSubscriber.DLQ_SUFFIX, 4);
    until(() -> handled.contains("good-2"));
    subscriber.close().await();

    assertThat(handled).containsExactly("good-1", "derived", "derived", "derived", "good-2");
    assertThat(count("select count(*) from journal where stream_id in ('unstorable-good-1', 'unstorable-good-2')"))
      .isEqualTo(2);
    Map<String, KafkaConsumerRecord<String, String>> byEvent = new HashMap<>();
    dead.forEach(r -> byEvent.put(new JsonObject(r.value()).getString("eventId"), r));
    assertThat(byEvent).containsOnlyKeys("nul", "lone", "derived", "bad-key");
    assertThat(header(byEvent.get("nul"), "dlq.reason"))
      .isEqualTo("text PostgreSQL cannot store: field /payload/name holds U+0000 at character 1");
    assertThat(header(byEvent.get("lone"), "dlq.reason")).isEqualTo("text PostgreSQL cannot store: the name of field"
      + " /payload/legs/0/x\\uD800 holds a lone surrogate U+D800 at character 1");
    assertThat(header(byEvent.get("bad-key"), "dlq.reason"))
      .isEqualTo("text PostgreSQL cannot store: the key holds U+0000 at character 2");
    assertThat(byEvent.get("lone").value()).as("dead-lettered as it came").isEqualTo(lone);
    for (String id : List.of("nul", "lone", "bad-key")) {
      assertThat(header(byEvent.get(id), "dlq.attempts")).isEqualTo("0");
    }
    assertThat(header(byEvent.get("derived"), "dlq.attempts")).isEqualTo("3");
  }

  @Test
  void unavailableServicesAreWaitedForNotDeadLettered() throws Exception {
    String topic = db.topic("transient");
    KafkaProducer<String, String> producer = producer();
    producer.send(KafkaProducerRecord.create(topic, "k", envelope("slow", false))).await();
    producer.send(KafkaProducerRecord.create(topic, "k", envelope("after", false))).await();
    producer.close().await();

    java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();
    List<String> handled = java.util.Collections.synchronizedList(new ArrayList<>());
    TopicSubscriber subscriber = TopicSubscriber.start(vertx, TestInfra.kafkaBootstrap(), topic, "transient-group", 3,
      message -> {
        if (message.eventId().equals("slow") && attempts.incrementAndGet() <= 6) {
          // an entity on a node that is going away: twice as many timeouts as the attempts before the DLQ
          return Future.failedFuture(new trader.eventsourcing.entity.CommandTimeoutException("account", "a-1",
            "no owner answered"));
        }
        handled.add(message.eventId());
        return Future.succeededFuture();
      });
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (handled.size() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    subscriber.close().await();
    assertThat(handled).containsExactly("slow", "after");
    assertThat(attempts.get()).isEqualTo(7);
  }

  /**
   * A message whose handling is slow holds back only the later messages of its key, not later polls: the other keys
   * go on, and the group's offset does not pass the slow message until it is done.
   */
  @Test
  void aSlowMessageHoldsBackOnlyItsKeyAndTheOffsetsAfterIt() throws Exception {
    String topic = db.topic("pipelined");
    KafkaProducer<String, String> producer = producer();
    var slowAt = producer.send(KafkaProducerRecord.create(topic, "s", envelope("s1", false))).await();
    producer.send(KafkaProducerRecord.create(topic, "a", envelope("a1", false))).await();

    Promise<Void> slow = Promise.promise();
    List<String> handled = java.util.Collections.synchronizedList(new ArrayList<>());
    TopicSubscriber subscriber = TopicSubscriber.start(vertx, TestInfra.kafkaBootstrap(), topic, "pipelined-group", 3,
      message -> {
        if (message.eventId().equals("s1")) {
          return slow.future().onSuccess(v -> handled.add("s1"));
        }
        handled.add(message.eventId());
        return Future.succeededFuture();
      });
    until(() -> handled.contains("a1"));
    // later polls: key a goes on while s1 is still in hand, key s waits behind it
    producer.send(KafkaProducerRecord.create(topic, "a", envelope("a2", false))).await();
    producer.send(KafkaProducerRecord.create(topic, "s", envelope("s2", false))).await();
    until(() -> handled.contains("a2"));
    Thread.sleep(300);
    assertThat(handled).doesNotContain("s1", "s2");
    var partition = new io.vertx.kafka.client.common.TopicPartition(topic, slowAt.getPartition());
    assertThat(committed("pipelined-group", partition)).isLessThanOrEqualTo(slowAt.getOffset());

    slow.complete();
    until(() -> handled.contains("s2"));
    subscriber.close().await();
    producer.close().await();
    assertThat(handled).containsSubsequence("s1", "s2").containsSubsequence("a1", "a2");
    // everything handled was committed: nothing comes again to the group
    assertThat(committed("pipelined-group", partition)).isGreaterThan(slowAt.getOffset());
  }

  /**
   * A partition that moves to another member while its messages are still in hand here: the new owner goes on
   * from the last commit, and this member, finishing them later, commits nothing for it (its offset would go back).
   */
  @Test
  void aPartitionMovedToAnotherMemberIsNotCommittedByItsFormerOwner() throws Exception {
    String topic = db.topic("moved");
    try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers",
      TestInfra.kafkaBootstrap()))) {
      admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 2, (short) 1))).all().get();
    }
    KafkaProducer<String, String> producer = producer();
    for (int p = 0; p < 2; p++) {
      producer.send(KafkaProducerRecord.create(topic, "k" + p, envelope("first-" + p, false), null, p)).await();
    }
    Promise<Void> release = Promise.promise();
    List<String> heldByA = java.util.Collections.synchronizedList(new ArrayList<>());
    TopicSubscriber a = TopicSubscriber.start(vertx, TestInfra.kafkaBootstrap(), topic, "moved-group", 3, m -> {
      heldByA.add(m.eventId());
      return release.future();
    });
    until(() -> heldByA.size() == 2);

    List<String> handledByB = java.util.Collections.synchronizedList(new ArrayList<>());
    TopicSubscriber b = TopicSubscriber.start(vertx, TestInfra.kafkaBootstrap(), topic, "moved-group", 3, m -> {
      handledByB.add(m.eventId());
      return Future.succeededFuture();
    });
    until(() -> !handledByB.isEmpty()); // a partition moved to b, which starts at its last commit: the first message
    int moved = Integer.parseInt(handledByB.get(0).substring("first-".length()));
    producer.send(KafkaProducerRecord.create(topic, "k" + moved, envelope("second-" + moved, false), null, moved))
      .await();
    until(() -> handledByB.contains("second-" + moved));
    var movedPartition = new io.vertx.kafka.client.common.TopicPartition(topic, moved);
    until(() -> committed("moved-group", movedPartition) == 2);

    release.complete(); // a finishes both messages it held, the moved partition's too
    Thread.sleep(1500);
    assertThat(committed("moved-group", movedPartition)).isEqualTo(2);
    assertThat(committed("moved-group", new io.vertx.kafka.client.common.TopicPartition(topic, 1 - moved)))
      .isEqualTo(1);
    a.close().await();
    b.close().await();
    producer.close().await();
  }

  private KafkaProducer<String, String> producer() {
    return KafkaProducer.create(vertx, Map.of(
      "bootstrap.servers", TestInfra.kafkaBootstrap(),
      "key.serializer", "org.apache.kafka.common.serialization.StringSerializer",
      "value.serializer", "org.apache.kafka.common.serialization.StringSerializer"));
  }

  /** The group's committed offset of {@code partition} (0 if none). */
  private long committed(String group, io.vertx.kafka.client.common.TopicPartition partition) {
    KafkaConsumer<String, String> reader = KafkaConsumer.create(vertx, Map.of(
      "bootstrap.servers", TestInfra.kafkaBootstrap(), "group.id", group, "enable.auto.commit", "false",
      "key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer",
      "value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer"));
    try {
      var offset = reader.committed(partition).await();
      return offset == null ? 0 : offset.getOffset();
    } finally {
      reader.close().await();
    }
  }

  private static void until(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 60 s");
      }
      Thread.sleep(20);
    }
  }

  private static String envelope(String eventId, boolean fail) {
    return new JsonObject().put("type", "test.message").put("schemaVersion", 1).put("eventId", eventId)
      .put("streamId", "k").put("version", 1).put("payload", new JsonObject().put("fail", fail)).encode();
  }

  private static String header(KafkaConsumerRecord<String, String> record, String name) {
    return record.headers().stream().filter(h -> h.key().equals(name)).findFirst()
      .map(h -> h.value().toString(StandardCharsets.UTF_8)).orElse(null);
  }

  private List<KafkaConsumerRecord<String, String>> consume(String topic, int expected) throws Exception {
    Map<String, String> config = new HashMap<>();
    config.put("bootstrap.servers", TestInfra.kafkaBootstrap());
    config.put("group.id", "reader-" + UUID.randomUUID());
    config.put("auto.offset.reset", "earliest");
    config.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    config.put("value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    KafkaConsumer<String, String> consumer = KafkaConsumer.create(vertx, config);
    consumer.subscribe(topic).await();
    List<KafkaConsumerRecord<String, String>> records = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (records.size() < expected && System.nanoTime() < deadline) {
      KafkaConsumerRecords<String, String> batch = consumer.poll(Duration.ofMillis(200)).await();
      for (int i = 0; i < batch.size(); i++) {
        records.add(batch.recordAt(i));
      }
    }
    consumer.close().await();
    return records;
  }

  private static void awaitLine(File log, String line) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      if (log.exists() && java.nio.file.Files.readString(log.toPath()).contains(line)) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("child did not print '" + line + "'");
  }

  private long publishedSoFar() {
    return count("select coalesce(sum(events_applied), 0) from projection_offsets where name = 'publish_test'");
  }

  private long count(String sql) {
    return pool.query(sql).execute().await().iterator().next().getLong(0);
  }
}
