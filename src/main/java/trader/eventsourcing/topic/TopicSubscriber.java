package trader.eventsourcing.topic;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.KafkaConsumerRecords;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Consumes a topic in a consumer group (one per subscribing context): each message goes to the handler in order
 * among the messages of its key (different keys concurrently), and the group's offsets are committed only after the
 * handler succeeded for every message of the poll. The handler turns a message into entity commands carrying the
 * business id that makes them idempotent, so redelivery changes nothing twice.
 *
 * <p>A message that is not a valid envelope, or whose handling keeps failing, goes to {@code <topic>.dlq} with the
 * reason in its headers; consumption continues with the next one. Failures that say the service is unavailable for
 * the moment ({@link #isTransient}) are retried until it is back, and never dead-lettered.
 */
public final class TopicSubscriber {

  public static final String DLQ_SUFFIX = ".dlq";
  private static final Logger LOG = LoggerFactory.getLogger(TopicSubscriber.class);

  private final Vertx vertx;
  private final String topic;
  private final String group;
  private final Function<TopicMessage, Future<Void>> handler;
  private final int maxAttempts;
  private final KafkaConsumer<String, String> consumer;
  private final KafkaProducer<String, String> dlq;
  private volatile boolean running;
  private Future<Void> loop = Future.succeededFuture();

  private TopicSubscriber(Vertx vertx, String bootstrapServers, String topic, String group,
                          Function<TopicMessage, Future<Void>> handler, int maxAttempts) {
    this.vertx = vertx;
    this.topic = topic;
    this.group = group;
    this.handler = handler;
    this.maxAttempts = maxAttempts;
    Map<String, String> config = new HashMap<>();
    config.put("bootstrap.servers", bootstrapServers);
    config.put("group.id", group);
    config.put("enable.auto.commit", "false");
    config.put("auto.offset.reset", "earliest");
    config.put("max.poll.records", "500");
    config.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    config.put("value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    this.consumer = KafkaConsumer.create(vertx, config);
    this.dlq = KafkaProducer.create(vertx, TopicPublisher.producerConfig(bootstrapServers, group + "-dlq"));
  }

  /**
   * Starts consuming {@code topic} as {@code group}.
   *
   * @param maxAttempts attempts at one message before it goes to the dead-letter topic
   */
  public static TopicSubscriber start(Vertx vertx, String bootstrapServers, String topic, String group,
                                      int maxAttempts, Function<TopicMessage, Future<Void>> handler) {
    TopicSubscriber subscriber = new TopicSubscriber(vertx, bootstrapServers, topic, group, handler, maxAttempts);
    subscriber.running = true;
    subscriber.loop = subscriber.consumer.subscribe(topic).compose(v -> subscriber.pollLoop());
    return subscriber;
  }

  private Future<Void> pollLoop() {
    if (!running) {
      return Future.succeededFuture();
    }
    return consumer.poll(Duration.ofMillis(200))
      .compose(records -> handleAll(records, 0).compose(v -> commit(records)))
      .recover(e -> {
        if (running) {
          LOG.warn("Subscriber {} of {}: {}; retrying", group, topic, e.getMessage());
        }
        return delay(500);
      })
      .compose(v -> pollLoop());
  }

  /**
   * The messages of one key in order, those of different keys concurrently (a handler's order is per key, as the
   * topic's is per partition); done when all are. Sequential handling of every message capped a subscriber at one
   * entity command (one journal commit) at a time.
   */
  private Future<Void> handleAll(KafkaConsumerRecords<String, String> records, int from) {
    java.util.Map<String, java.util.List<KafkaConsumerRecord<String, String>>> byKey = new java.util.LinkedHashMap<>();
    for (int i = from; i < records.size(); i++) {
      KafkaConsumerRecord<String, String> r = records.recordAt(i);
      byKey.computeIfAbsent(String.valueOf(r.key()), k -> new java.util.ArrayList<>()).add(r);
    }
    java.util.List<Future<Void>> chains = new java.util.ArrayList<>(byKey.size());
    for (java.util.List<KafkaConsumerRecord<String, String>> sameKey : byKey.values()) {
      chains.add(handleInOrder(sameKey, 0));
    }
    return Future.join(chains).mapEmpty();
  }

  private Future<Void> handleInOrder(java.util.List<KafkaConsumerRecord<String, String>> records, int index) {
    if (index >= records.size()) {
      return Future.succeededFuture();
    }
    return handleOne(records.get(index)).compose(v -> handleInOrder(records, index + 1));
  }

  private Future<Void> handleOne(KafkaConsumerRecord<String, String> record) {
    TopicMessage message;
    try {
      JsonObject value = new JsonObject(record.value());
      if (value.getString("type") == null || value.getString("eventId") == null
        || !(value.getValue("payload") instanceof JsonObject)) {
        return deadLetter(record, "not an event envelope: type, eventId and payload are required", 0);
      }
      message = new TopicMessage(record.key(), value);
    } catch (DecodeException | NullPointerException | ClassCastException e) {
      return deadLetter(record, "not JSON: " + e.getMessage(), 0);
    }
    return attempt(message, record, 1);
  }

  private Future<Void> attempt(TopicMessage message, KafkaConsumerRecord<String, String> record, int attempt) {
    Future<Void> result;
    try {
      result = handler.apply(message);
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    return result.recover(e -> {
      if (!running) {
        return Future.failedFuture(e);
      }
      if (isTransient(e)) {
        // the entity or node will be back (a shard moving, a node stopping): wait, never dead-letter for this
        long delay = Math.min(5_000, 100L << Math.min(6, attempt - 1));
        if (attempt % 10 == 1) {
          LOG.warn("Subscriber {}: message {} of {} waits for an unavailable service (attempt {}): {}", group,
            message.eventId(), topic, attempt, e.getMessage());
        }
        return delay(delay).compose(v -> attempt(message, record, attempt + 1));
      }
      if (attempt >= maxAttempts) {
        return deadLetter(record, "handler failed " + attempt + " times: " + e.getMessage(), attempt);
      }
      LOG.warn("Subscriber {}: message {} of {} failed (attempt {}): {}", group, message.eventId(), topic, attempt,
        e.getMessage());
      return delay(100L << Math.min(8, attempt - 1)).compose(v -> attempt(message, record, attempt + 1));
    });
  }

  /**
   * Failures that say nothing about the message: a command that timed out (its outcome unknown; commands are
   * idempotent, so sending it again is safe) or found no handler or owner for a moment. Only other failures count
   * towards the dead-letter topic.
   */
  static boolean isTransient(Throwable e) {
    if (e instanceof trader.eventsourcing.entity.CommandTimeoutException) {
      return true;
    }
    if (e instanceof io.vertx.core.eventbus.ReplyException re) {
      return re.failureType() != io.vertx.core.eventbus.ReplyFailure.RECIPIENT_FAILURE || re.failureCode() == 503;
    }
    return false;
  }

  private Future<Void> deadLetter(KafkaConsumerRecord<String, String> record, String reason, int attempts) {
    LOG.error("Subscriber {}: message at {}-{}@{} goes to {}{}: {}", group, topic, record.partition(),
      record.offset(), topic, DLQ_SUFFIX, reason);
    KafkaProducerRecord<String, String> out = KafkaProducerRecord.create(topic + DLQ_SUFFIX, record.key(),
      record.value());
    out.addHeader("dlq.reason", reason)
      .addHeader("dlq.topic", topic)
      .addHeader("dlq.partition", String.valueOf(record.partition()))
      .addHeader("dlq.offset", String.valueOf(record.offset()))
      .addHeader("dlq.group", group)
      .addHeader("dlq.attempts", String.valueOf(attempts));
    return dlq.send(out).mapEmpty();
  }

  private Future<Void> commit(KafkaConsumerRecords<String, String> records) {
    if (records.isEmpty()) {
      return Future.succeededFuture();
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (int i = 0; i < records.size(); i++) {
      KafkaConsumerRecord<String, String> r = records.recordAt(i);
      offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1, ""));
    }
    return consumer.commit(offsets).mapEmpty();
  }

  private Future<Void> delay(long ms) {
    Promise<Void> p = Promise.promise();
    vertx.setTimer(ms, t -> p.complete());
    return p.future();
  }

  /** Stops after the message in hand; what was not committed is delivered again to the group. */
  public Future<Void> close() {
    running = false;
    return loop.transform(ar -> consumer.close()).transform(ar -> dlq.close()).mapEmpty();
  }

  /** The topics this subscribes to; for documentation and tests. */
  public List<String> topics() {
    return List.of(topic, topic + DLQ_SUFFIX);
  }
}
