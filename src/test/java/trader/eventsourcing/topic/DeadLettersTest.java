package trader.eventsourcing.topic;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.eventsourcing.topic.DeadLetters.Action;
import trader.eventsourcing.topic.DeadLetters.Letter;
import trader.testing.TestDatabase;
import trader.testing.TestInfra;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Dead letters with a real Kafka and PostgreSQL: a message that fails for good (refused, unreadable, or a bug) is
 * stored with its reason after the attempts, the later messages of its key wait behind it while other keys go on,
 * and operators' re-drives and discards run in the key's order, on the node consuming it.
 */
class DeadLettersTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase();

  Vertx vertx;
  Pool pool;
  DeadLetters letters;
  SimpleMeterRegistry registry;
  final List<String> handled = Collections.synchronizedList(new ArrayList<>());
  /** Event ids the handler refuses, and those it fails on with a bug; changed by the tests as they go. */
  final Set<String> refused = ConcurrentHashMap.newKeySet();
  final Set<String> buggy = ConcurrentHashMap.newKeySet();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    pool = db.database().pool(vertx);
    letters = DeadLetters.create(pool);
    registry = new SimpleMeterRegistry();
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  private TopicSubscriber subscribe(String topic, String group) {
    return TopicSubscriber.start(vertx, new TopicSubscriber.Options(TestInfra.kafkaBootstrap(), letters, registry, 3),
      topic, group, message -> {
        if (refused.contains(message.eventId())) {
          return Future.failedFuture(new TopicSubscriber.Refused("cannot handle " + message.eventId()));
        }
        if (buggy.contains(message.eventId())) {
          String missing = null;
          return Future.succeededFuture(missing.length() > 0 ? null : null); // a NullPointerException, a bug
        }
        handled.add(message.eventId());
        return Future.succeededFuture();
      });
  }

  @Test
  void laterMessagesOfADeadKeyWaitBehindItAndGoOnInOrderOnceItIsReDrivenOrDiscarded() throws Exception {
    String topic = db.topic("sequenced");
    refused.add("k-2");
    send(topic, "k", envelope("k-1"), "{not json", envelope("k-2"), envelope("k-3"));
    send(topic, "other", envelope("o-1"), envelope("o-2"));
    TopicSubscriber subscriber = subscribe(topic, "sequenced-group");

    until(() -> handled.containsAll(List.of("k-1", "o-1", "o-2")) && open(topic).size() == 3);
    List<Letter> open = open(topic);
    assertThat(open).extracting(Letter::status).containsExactly("dead", "waiting", "waiting");
    assertThat(open.get(0).reason()).startsWith("not JSON");
    assertThat(open.get(0).text()).isEqualTo("{not json");
    assertThat(open.get(0).attempts()).isZero();
    assertThat(open.get(1).text()).isEqualTo(envelope("k-2"));
    assertThat(handled).doesNotContain("k-2", "k-3");
    until(() -> gauge(topic) == 3);
    assertThat(registry.get("trader.dead_letters.received").tag("topic", topic).counter().count()).isEqualTo(1);

    // a waiting message cannot be re-driven out of its key's order
    assertThatThrownBy(() -> letters.request(open.get(1).id(), Action.REDRIVE).await())
      .isInstanceOf(DeadLetters.NotAllowed.class).hasMessageContaining("waits behind dead letter " + open.get(0).id());

    // the unreadable one is discarded: the next goes on, is refused three times and is dead in its turn
    assertThat(letters.request(open.get(0).id(), Action.DISCARD).await()).isEqualTo(1);
    until(() -> letters.get(open.get(1).id()).await().status().equals("dead")
      && letters.get(open.get(0).id()).await().status().equals("discarded"));
    Letter k2 = letters.get(open.get(1).id()).await();
    assertThat(k2.reason()).isEqualTo("handler failed 3 times: cannot handle k-2");
    assertThat(k2.attempts()).isEqualTo(3);
    assertThat(handled).doesNotContain("k-2", "k-3");

    // mended (the handler takes it now), then re-driven: it and the one behind it go through, in order
    refused.clear();
    letters.request(k2.id(), Action.REDRIVE).await();
    until(() -> handled.contains("k-3"));
    assertThat(handled).containsSubsequence("k-2", "k-3");
    until(() -> open(topic).isEmpty() && gauge(topic) == 0);
    assertThat(letters.get(k2.id()).await().status()).isEqualTo("done");

    // the key goes on as usual afterwards
    send(topic, "k", envelope("k-4"));
    until(() -> handled.contains("k-4"));
    subscriber.close().await();
  }

  @Test
  void aBugInTheHandlerIsADeadLetterAfterTheAttemptsAndAKeyCanBeDiscardedWhole() throws Exception {
    String topic = db.topic("buggy");
    buggy.add("b-1");
    send(topic, "b", envelope("b-1"), envelope("b-2"));
    send(topic, "c", envelope("c-1"));
    TopicSubscriber subscriber = subscribe(topic, "buggy-group");

    until(() -> handled.contains("c-1") && open(topic).size() == 2);
    Letter dead = open(topic).getFirst();
    assertThat(dead.reason()).startsWith("handler failed 3 times: NullPointerException");

    assertThat(letters.requestKey("buggy-group", "b", Action.DISCARD).await()).isEqualTo(2);
    until(() -> open(topic).isEmpty());
    assertThat(letters.list("buggy-group", topic, "b", true, 10).await()).extracting(Letter::status)
      .containsOnly("discarded");
    assertThat(handled).doesNotContain("b-1", "b-2");
    send(topic, "b", envelope("b-3"));
    until(() -> handled.contains("b-3"));
    subscriber.close().await();
  }

  @Test
  void aRestartedSubscriberKeepsTheKeyHeldBackAndAMessageDeliveredAgainIsStoredOnce() throws Exception {
    String topic = db.topic("restarted");
    refused.add("r-1");
    send(topic, "r", envelope("r-1"));
    TopicSubscriber first = subscribe(topic, "restarted-group");
    until(() -> open(topic).size() == 1);
    first.close().await();

    // its offset may or may not have been committed: the store keeps one row per message either way
    send(topic, "r", envelope("r-2"));
    TopicSubscriber second = subscribe(topic, "restarted-group");
    until(() -> open(topic).size() == 2);
    Thread.sleep(500);
    assertThat(open(topic)).extracting(Letter::status).containsExactly("dead", "waiting");
    assertThat(handled).isEmpty();
    second.close().await();
  }

  /**
   * A message holding text PostgreSQL cannot store (in its key, a value or a field name, however deep) is a dead
   * letter at once, its handler never called: whatever it made of it would fail where it is written. A handler failing
   * with the journal's refusal of such text fails for good after the attempts, never waited for as if a service were
   * down.
   */
  @Test
  void textTheDatabaseCannotStoreIsADeadLetterAndNeverHandled() throws Exception {
    String topic = db.topic("unstorable");
    String nul = new JsonObject().put("type", "test.message").put("schemaVersion", 1).put("eventId", "nul")
      .put("streamId", "k").put("version", 1).put("payload", new JsonObject().put("name", "a\u0000b")).encode();
    // written as JSON escapes: a lone surrogate itself would reach Kafka as '?' (UTF-8 has no encoding for it)
    String lone = "{\"type\":\"test.message\",\"schemaVersion\":1,\"eventId\":\"lone\",\"streamId\":\"k\","
      + "\"version\":1,\"payload\":{\"legs\":[{\"x\\ud800\":1}]}}";
    send(topic, "k1", nul);
    send(topic, "k2", lone);
    send(topic, "ba\u0000d", envelope("bad-key"));
    String derived = "derived";
    refused.clear();
    TopicSubscriber subscriber = TopicSubscriber.start(vertx, new TopicSubscriber.Options(TestInfra.kafkaBootstrap(),
        letters, registry, 3), topic, "unstorable-group", message -> {
        handled.add(message.eventId());
        if (message.eventId().equals(derived)) {
          return Future.failedFuture(new trader.eventsourcing.entity.CommandFailedException("account", "a-1",
            "refused", new trader.eventsourcing.UnstorableTextException("the journal cannot store it")));
        }
        return Future.succeededFuture();
      });
    send(topic, "k4", envelope(derived));
    send(topic, "k5", envelope("good"));

    until(() -> handled.contains("good") && open(topic).size() == 4);
    Map<String, Letter> byKey = new java.util.HashMap<>();
    open(topic).forEach(l -> byKey.put(l.key(), l));
    assertThat(byKey.get("k1").reason())
      .isEqualTo("text PostgreSQL cannot store: field /payload/name holds U+0000 at character 1");
    assertThat(byKey.get("k2").reason()).isEqualTo("text PostgreSQL cannot store: the name of field"
      + " /payload/legs/0/x\\uD800 holds a lone surrogate U+D800 at character 1");
    assertThat(byKey.get("k2").text()).as("stored as it came").isEqualTo(lone);
    assertThat(byKey.get("ba\uFFFDd").reason())
      .isEqualTo("text PostgreSQL cannot store: the key holds U+0000 at character 2");
    assertThat(byKey.get("k4").attempts()).isEqualTo(3);
    assertThat(List.of(byKey.get("k1"), byKey.get("k2"), byKey.get("ba\uFFFDd")))
      .allSatisfy(l -> assertThat(l.attempts()).isZero());
    assertThat(handled).containsOnly(derived, "good");
    subscriber.close().await();
  }

  private List<Letter> open(String topic) {
    List<Letter> newestFirst = new ArrayList<>(letters.list(null, topic, null, false, 100).await());
    Collections.reverse(newestFirst);
    return newestFirst;
  }

  private double gauge(String topic) {
    return registry.get("trader.dead_letters.open").tag("topic", topic).gauge().value();
  }

  private void send(String topic, String key, String... values) {
    KafkaProducer<String, String> producer = KafkaProducer.create(vertx, Map.of(
      "bootstrap.servers", TestInfra.kafkaBootstrap(),
      "key.serializer", "org.apache.kafka.common.serialization.StringSerializer",
      "value.serializer", "org.apache.kafka.common.serialization.StringSerializer"));
    for (String value : values) {
      producer.send(KafkaProducerRecord.create(topic, key, value)).await();
    }
    producer.close().await();
  }

  private static String envelope(String eventId) {
    return new JsonObject().put("type", "test.message").put("schemaVersion", 1).put("eventId", eventId)
      .put("streamId", "s").put("version", 1).put("payload", new JsonObject()).encode();
  }

  private static void until(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 60 s");
      }
      Thread.sleep(50);
    }
  }
}
