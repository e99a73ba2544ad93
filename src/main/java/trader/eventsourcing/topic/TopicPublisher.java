package trader.eventsourcing.topic;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import io.vertx.sqlclient.SqlConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import trader.eventsourcing.journal.StoredEvent;
import trader.eventsourcing.projection.Projection;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A projection that publishes selected journal events to a Kafka topic. A batch is sent before its transaction
 * begins (waiting for Kafka must not hold back the journal's readers), and its offset is stored only after
 * Kafka acknowledged every message of it ({@code acks=all}, idempotent producer): at-least-once, in order per
 * stream. Subscribers make redelivery harmless through the business ids in the messages.
 */
public final class TopicPublisher implements Projection {

  private static final Logger LOG = LoggerFactory.getLogger(TopicPublisher.class);

  private final String name;
  private final String topic;
  private final Predicate<StoredEvent> selection;
  private final Function<StoredEvent, Future<TopicMessage>> toMessage;
  private final KafkaProducer<String, String> producer;

  private TopicPublisher(String name, String topic, Predicate<StoredEvent> selection,
                         Function<StoredEvent, Future<TopicMessage>> toMessage, KafkaProducer<String, String> producer) {
    this.name = name;
    this.topic = topic;
    this.selection = selection;
    this.toMessage = toMessage;
    this.producer = producer;
  }

  /**
   * @param name      the projection name (its offset's key), e.g. {@code publish_portfolio_orders}
   * @param selection which events go to the topic
   * @param toMessage the message of an event (usually {@link TopicMessage#of})
   */
  public static TopicPublisher create(Vertx vertx, String bootstrapServers, String name, String topic,
                                      Predicate<StoredEvent> selection, Function<StoredEvent, TopicMessage> toMessage) {
    return createAsync(vertx, bootstrapServers, name, topic, selection, e -> Future.succeededFuture(toMessage.apply(e)));
  }

  /**
   * Like {@link #create}, for messages that need more than the event (e.g. details from the stream's first event):
   * the messages of a batch are all built before any is sent, so they still go out in journal order.
   */
  public static TopicPublisher createAsync(Vertx vertx, String bootstrapServers, String name, String topic,
                                           Predicate<StoredEvent> selection,
                                           Function<StoredEvent, Future<TopicMessage>> toMessage) {
    KafkaProducer<String, String> producer = KafkaProducer.create(vertx, producerConfig(bootstrapServers, name));
    // a failed send fails its batch, which the projection retries: the producer's own report would be a second one
    producer.exceptionHandler(e -> LOG.debug("Publisher {}: {}", name, e.toString()));
    return new TopicPublisher(name, topic, selection, toMessage, producer);
  }

  static Map<String, String> producerConfig(String bootstrapServers, String clientId) {
    Map<String, String> config = new HashMap<>();
    config.put("bootstrap.servers", bootstrapServers);
    config.put("client.id", clientId);
    config.put("acks", "all");
    config.put("enable.idempotence", "true");
    // idempotence keeps order per partition with up to 5 requests in flight
    config.put("max.in.flight.requests.per.connection", "5");
    // no waiting for more: a batch is sent as a whole anyway, and while one request is in flight the next fills up
    config.put("linger.ms", "0");
    config.put("delivery.timeout.ms", "30000");
    config.put("request.timeout.ms", "10000");
    config.put("key.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    config.put("value.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    return config;
  }

  @Override
  public String name() {
    return name;
  }

  public String topic() {
    return topic;
  }

  @Override
  public boolean handles(StoredEvent event) {
    return selection.test(event);
  }

  /** Sends the batch and waits for Kafka's acknowledgements, outside the transaction that then stores the offset. */
  @Override
  public Future<Void> prepare(List<StoredEvent> events) {
    List<Future<TopicMessage>> messages = events.stream().map(toMessage).toList();
    return Future.all(messages).compose(built -> {
      List<Future<?>> acks = new ArrayList<>(events.size());
      for (Future<TopicMessage> m : messages) {
        TopicMessage message = m.result();
        acks.add(producer.send(KafkaProducerRecord.create(topic, message.key(), message.value().encode())));
      }
      return Future.all(acks);
    }).mapEmpty();
  }

  @Override
  public Future<Void> apply(SqlConnection connection, List<StoredEvent> events) {
    return Future.succeededFuture();
  }

  public Future<Void> close() {
    return producer.close();
  }
}
