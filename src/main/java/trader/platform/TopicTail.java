package trader.platform;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Follows a topic on this node alone (a consumer group of its own, offsets never committed): for per-node replicas of
 * a feed such as the latest quotes. From the beginning ({@code fromStart}) to rebuild a replica, or only what arrives
 * from now on, for a consumer that must not act on old messages. Messages that are not JSON objects are skipped.
 */
public final class TopicTail {

  private static final Logger LOG = LoggerFactory.getLogger(TopicTail.class);

  private final KafkaConsumer<String, String> consumer;

  private TopicTail(KafkaConsumer<String, String> consumer) {
    this.consumer = consumer;
  }

  /** Starts following {@code topic}; {@code handler} gets each message's key and JSON value, in partition order. */
  public static TopicTail start(Vertx vertx, String bootstrapServers, String topic, boolean fromStart,
                                java.util.function.BiConsumer<String, JsonObject> handler) {
    Map<String, String> config = new HashMap<>();
    config.put("bootstrap.servers", bootstrapServers);
    config.put("group.id", "tail-" + UUID.randomUUID());
    config.put("enable.auto.commit", "false");
    config.put("auto.offset.reset", fromStart ? "earliest" : "latest");
    config.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    config.put("value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    KafkaConsumer<String, String> consumer = KafkaConsumer.create(vertx, config);
    consumer.handler(record -> {
      JsonObject value;
      try {
        value = new JsonObject(record.value());
      } catch (RuntimeException e) {
        LOG.warn("Skipping a message of {} that is not a JSON object: {}", topic, e.getMessage());
        return;
      }
      handler.accept(record.key(), value);
    });
    consumer.exceptionHandler(e -> LOG.warn("Following {}: {}", topic, e.getMessage()));
    consumer.subscribe(topic);
    return new TopicTail(consumer);
  }

  public Future<Void> close() {
    return consumer.close();
  }
}
