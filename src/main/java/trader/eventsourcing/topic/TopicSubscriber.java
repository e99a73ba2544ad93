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
import trader.eventsourcing.EventLoops;
import trader.eventsourcing.StorableText;
import trader.eventsourcing.UnstorableTextException;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Consumes a topic in a consumer group (one per subscribing context): each message goes to the handler in order
 * among the messages of its key (different keys concurrently, and without waiting for earlier polls), and a
 * partition's offset is committed only up to its first message not yet handled. The handler turns a message into
 * entity commands carrying the business id that makes them idempotent, so redelivery changes nothing twice.
 *
 * <p>A message that is not a valid envelope, that holds text PostgreSQL cannot store as it is (in its key, or in any
 * string or field name of its value: {@link StorableText}), or whose handling keeps failing, goes to
 * {@code <topic>.dlq} with the reason in its headers; consumption continues with the next one. Only failures about
 * the message itself count ({@link #isRefusal}: a {@link Refused} from the handler); any other failure means a
 * service is unavailable for the moment, and the message is retried until it is back, never dead-lettered.
 */
public final class TopicSubscriber {

  public static final String DLQ_SUFFIX = ".dlq";
  /** Messages in hand at most before polling pauses. */
  static final int MAX_IN_FLIGHT = 2000;
  /**
   * The least time between two commits while running. A commit per handled message was as much work for the broker
   * as the messages themselves; what a crash loses of it comes again, and the handlers' ids make that harmless.
   */
  static final long COMMIT_INTERVAL_MS = 100;
  private static final Logger LOG = LoggerFactory.getLogger(TopicSubscriber.class);

  private final Vertx vertx;
  /** Where the poll loop and the commits run (built on a context of its own, see {@link #start}). */
  private final io.vertx.core.Context context;
  private final String topic;
  private final String group;
  private final Function<TopicMessage, Future<Void>> handler;
  private final int maxAttempts;
  private final KafkaConsumer<String, String> consumer;
  private final KafkaProducer<String, String> dlq;
  private volatile boolean running;
  /** Offsets handled but not yet sent to Kafka; the commit in flight, if any; who waits for both to be done. */
  private Map<TopicPartition, OffsetAndMetadata> uncommitted = new HashMap<>();
  /** Per partition, the messages in hand in offset order; per key, the last message handed out. */
  private final Map<TopicPartition, java.util.ArrayDeque<Pending>> pendingByPartition = new HashMap<>();
  private final Map<String, Future<Void>> lastOfKey = new HashMap<>();
  private int inFlight;
  private boolean paused;
  private Future<?> committing;
  private final List<Promise<Void>> idle = new java.util.ArrayList<>();
  /** Completes when the poll loop has ended after {@link #close}. */
  private final io.vertx.core.Promise<Void> stopped = io.vertx.core.Promise.promise();

  private TopicSubscriber(Vertx vertx, String bootstrapServers, String topic, String group,
                          Function<TopicMessage, Future<Void>> handler, int maxAttempts) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
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
    // on an event loop of its own: the subscribers of a node would otherwise all share their starter's
    return EventLoops.onNewContext(vertx, () -> {
      TopicSubscriber subscriber = new TopicSubscriber(vertx, bootstrapServers, topic, group, handler, maxAttempts);
      subscriber.running = true;
      subscriber.consumer.partitionsRevokedHandler(subscriber::revoked);
      subscriber.consumer.subscribe(topic).onComplete(ar -> {
        if (ar.failed()) {
          LOG.warn("Subscriber {} cannot subscribe to {}: {}; retrying", group, topic, ar.cause().getMessage());
        }
        subscriber.pollOnce();
      });
      return subscriber;
    });
  }

  /**
   * Polls again as soon as a poll's messages are handed out, without waiting for them to be handled: a message
   * waits only for the one before it with the same key (a handler's order is per key, as the topic's is per
   * partition), never for a whole poll (one slow command held back every later message). With
   * {@link #MAX_IN_FLIGHT} messages in hand the partitions are paused until half are done. Callbacks, not a chain
   * of futures, so that a loop running for months holds no growing chain.
   */
  private void pollOnce() {
    if (!running) {
      stopped.tryComplete();
      return;
    }
    if (inFlight >= MAX_IN_FLIGHT && !paused) {
      // enough in hand: fetch nothing more, but go on polling, or the group would drop this member
      paused = true;
      consumer.assignment().compose(consumer::pause).onFailure(e -> paused = false);
    }
    consumer.poll(Duration.ofMillis(200)).onComplete(ar -> {
      if (ar.failed()) {
        if (running) {
          LOG.warn("Subscriber {} of {}: {}; retrying", group, topic, ar.cause().getMessage());
        }
        vertx.setTimer(500, t -> pollOnce());
        return;
      }
      KafkaConsumerRecords<String, String> records = ar.result();
      for (int i = 0; i < records.size(); i++) {
        dispatch(records.recordAt(i));
      }
      pollOnce();
    });
  }

  /** Hands {@code record} to the handler after the previous message of its key; its offset counts once it is done. */
  private void dispatch(KafkaConsumerRecord<String, String> record) {
    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
    java.util.ArrayDeque<Pending> queue = pendingByPartition.computeIfAbsent(partition, p -> new java.util.ArrayDeque<>());
    Pending pending = new Pending(record.offset(), queue);
    queue.add(pending);
    inFlight++;
    String key = String.valueOf(record.key());
    Future<Void> previous = lastOfKey.getOrDefault(key, Future.succeededFuture());
    // handleOne only fails once the subscriber is closing; the next message of the key then waits for nothing
    Future<Void> mine = previous.transform(ar -> running ? handleOne(record) : closing())
      .onComplete(ar -> finished(partition, pending, ar.succeeded()));
    lastOfKey.put(key, mine);
    mine.onComplete(ar -> lastOfKey.remove(key, mine));
  }

  /**
   * A message left the handler: handled (or dead-lettered), so the offsets up to the first one still in hand can
   * be committed; or not handled (only while closing), so nothing from it on is committed and it comes again.
   */
  private void finished(TopicPartition partition, Pending pending, boolean handled) {
    pending.done = handled;
    inFlight--;
    if (!handled && running) {
      LOG.error("Subscriber {}: message at {}-{}@{} was not handled; it comes again after a restart", group, topic,
        partition.getPartition(), pending.offset);
    }
    java.util.ArrayDeque<Pending> queue = pendingByPartition.get(partition);
    // a partition revoked meanwhile: its new owner goes on from the last commit, this node commits nothing for it
    if (queue == pending.queue) {
      while (!queue.isEmpty() && queue.peekFirst().done) {
        uncommitted.put(partition, new OffsetAndMetadata(queue.pollFirst().offset + 1, ""));
      }
    }
    commitPending();
    if (paused && inFlight < MAX_IN_FLIGHT / 2) {
      paused = false;
      consumer.assignment().compose(consumer::resume);
    }
  }

  /** What a message behind a closing subscriber gets: a failure, on a later turn (a long chain of one key unwinds
   * without deepening the stack). */
  private Future<Void> closing() {
    Promise<Void> p = Promise.promise();
    context.runOnContext(v -> p.fail("the subscriber is closing"));
    return p.future();
  }

  /** Partitions taken from this member: forget their messages in hand and their offsets not yet committed. */
  private void revoked(java.util.Set<TopicPartition> partitions) {
    for (TopicPartition partition : partitions) {
      pendingByPartition.remove(partition);
      uncommitted.remove(partition);
    }
  }

  /** A message in hand; done once its handler succeeded or it was dead-lettered. */
  private static final class Pending {
    final long offset;
    /** The queue of its partition when it came: replaced if the partition was revoked meanwhile. */
    final java.util.ArrayDeque<Pending> queue;
    boolean done;

    Pending(long offset, java.util.ArrayDeque<Pending> queue) {
      this.offset = offset;
      this.queue = queue;
    }
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
      return deadLetter(record, "not JSON: " + StorableText.printable(String.valueOf(e.getMessage())), 0);
    }
    String unstorable = unstorable(message);
    if (unstorable != null) {
      // whatever the handler makes of it would fail where it is written (and the writes batched with it), or be
      // stored changed: never handled, and not retried
      return deadLetter(record, unstorable, 0);
    }
    return attempt(message, record, 1);
  }

  /** What of the message PostgreSQL cannot store as it is ({@link StorableText}); null if it can store it all. */
  private static String unstorable(TopicMessage message) {
    if (message.key() != null && !StorableText.isStorable(message.key())) {
      int at = StorableText.flawAt(message.key());
      return "text PostgreSQL cannot store: the key holds " + StorableText.character(message.key().charAt(at))
        + " at character " + at;
    }
    StorableText.Flaw flaw = StorableText.flawIn(message.value());
    return flaw == null ? null : "text PostgreSQL cannot store: " + flaw.describe();
  }

  private Future<Void> attempt(TopicMessage message, KafkaConsumerRecord<String, String> record, int attempt) {
    Future<Void> result;
    try {
      result = handler.apply(message);
      if (result == null) {
        result = Future.failedFuture(new IllegalStateException("the handler returned no future"));
      }
    } catch (RuntimeException | LinkageError | AssertionError e) {
      result = Future.failedFuture(e);
    }
    // the subscriber's state is only ever touched on its context
    return EventLoops.on(context, result).recover(e -> {
      if (!running) {
        return Future.failedFuture(e);
      }
      if (!isRefusal(e)) {
        // the journal, an entity's node or Kafka is not there right now: wait for it, never dead-letter for this;
        // every command carries the id that makes it idempotent, so sending it again is safe
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
      LOG.warn("Subscriber {}: message {} of {} refused (attempt {}): {}", group, message.eventId(), topic, attempt,
        e.getMessage());
      return delay(100L << Math.min(8, attempt - 1)).compose(v -> attempt(message, record, attempt + 1));
    });
  }

  /**
   * Whether a handler's failure is about the message itself (a domain refusal, a message it cannot read), so that
   * retrying it is pointless: only those go to the dead-letter topic after {@code maxAttempts}.
   */
  static boolean isRefusal(Throwable e) {
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof UnstorableTextException) {
        return true; // e.g. an entity's command whose events the journal refused: the same again fails the same
      }
    }
    return e instanceof Refused || e instanceof IllegalArgumentException;
  }

  /** A handler's answer that this message can never be handled (e.g. the entity refused the command). */
  public static final class Refused extends RuntimeException {
    public Refused(String message) {
      super(message, null, false, false);
    }
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
    return sendDeadLetter(out, 1);
  }

  private Future<Void> sendDeadLetter(KafkaProducerRecord<String, String> out, int attempt) {
    return dlq.send(out).<Void>mapEmpty().recover(e -> {
      if (!running) {
        return Future.failedFuture(e);
      }
      LOG.warn("Subscriber {}: cannot write to {} (attempt {}): {}", group, out.topic(), attempt, e.getMessage());
      return delay(Math.min(5_000, 200L << Math.min(5, attempt - 1))).compose(v -> sendDeadLetter(out, attempt + 1));
    });
  }

  /**
   * Commits handled offsets without holding up polling: one commit in flight at a time, at most one per
   * {@link #COMMIT_INTERVAL_MS} while running, and what was handled meanwhile goes out as one commit after it (offsets
   * only grow, so the latest per partition covers the earlier ones). A commit lost to a crash only means a
   * redelivery, which the handlers' ids make harmless.
   */
  private void commitPending() {
    if (committing != null) {
      return;
    }
    if (uncommitted.isEmpty()) {
      if (inFlight > 0) {
        return;
      }
      idle.forEach(p -> p.tryComplete());
      idle.clear();
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = uncommitted;
    uncommitted = new HashMap<>();
    committing = consumer.commit(offsets).onComplete(ar -> {
      committing = null;
      if (ar.failed()) {
        LOG.warn("Subscriber {} of {} could not commit its offsets: {}", group, topic, ar.cause().getMessage());
        // a later commit of the same partition covers this one; otherwise try these again, in a second
        offsets.forEach(uncommitted::putIfAbsent);
        if (!running) {
          uncommitted.clear();
        } else {
          committing = delay(1000).onComplete(v -> {
            committing = null;
            commitPending();
          });
          return;
        }
      } else if (running) {
        committing = delay(COMMIT_INTERVAL_MS).onComplete(v -> {
          committing = null;
          commitPending();
        });
        return;
      }
      commitPending();
    });
  }

  /** Completes when no message is in hand and every handled offset was committed (or given up at close). */
  private Future<Void> committed() {
    Promise<Void> p = Promise.promise();
    idle.add(p);
    commitPending();
    return p.future();
  }

  private Future<Void> delay(long ms) {
    Promise<Void> p = Promise.promise();
    vertx.setTimer(ms, t -> p.complete());
    return p.future();
  }

  /** Stops after the messages in hand; what was not committed is delivered again to the group. */
  public Future<Void> close() {
    running = false;
    return stopped.future().timeout(15, java.util.concurrent.TimeUnit.SECONDS)
      .transform(ar -> Future.<Void>future(p -> context.runOnContext(v -> committed().onComplete(p)))
        .timeout(5, java.util.concurrent.TimeUnit.SECONDS))
      .transform(ar -> consumer.close()).transform(ar -> dlq.close()).mapEmpty();
  }

  /** The topics this subscribes to; for documentation and tests. */
  public List<String> topics() {
    return List.of(topic, topic + DLQ_SUFFIX);
  }
}
