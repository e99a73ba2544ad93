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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import trader.eventsourcing.EventLoops;
import trader.eventsourcing.Outages;
import trader.eventsourcing.StorableText;

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
 * <p>Dead letters ({@link DeadLetters}). A message that is not a valid envelope, that holds text PostgreSQL cannot
 * store as it is (in its key, or in any string or field name of its value: {@link StorableText}; it is never handed
 * to the handler), or whose handler fails
 * {@code maxAttempts} times for a reason of its own (a {@link Refused} message, a bug), is stored as dead, with the
 * reason; so is every later message of its key, as waiting behind it (a saga never runs its steps out of order),
 * while the other keys go on. An outage ({@link trader.eventsourcing.Outages}: the journal, an entity's node or Kafka
 * not there right now) is waited for, never dead-lettered. Operators re-drive or discard dead letters per message or
 * per key ({@link DeadLetters#request}); the subscriber consuming the key's partition carries it out, in the key's
 * order. It counts them in {@code trader.dead_letters.received} and shows those in the way in
 * {@code trader.dead_letters.open}, per topic and subscriber.
 */
public final class TopicSubscriber {

  /** Messages in hand at most before polling pauses. */
  static final int MAX_IN_FLIGHT = 2000;
  /**
   * The least time between two commits while running. A commit per handled message was as much work for the broker
   * as the messages themselves; what a crash loses of it comes again, and the handlers' ids make that harmless.
   */
  static final long COMMIT_INTERVAL_MS = 100;
  /** How often operators' requests are looked for, and the open dead letters counted. */
  static final long DEAD_LETTER_CHECK_MS = 2000;
  private static final Logger LOG = LoggerFactory.getLogger(TopicSubscriber.class);

  private final Vertx vertx;
  /** Where the poll loop and the commits run (built on a context of its own, see {@link #start}). */
  private final io.vertx.core.Context context;
  private final String topic;
  private final String group;
  private final Function<TopicMessage, Future<Void>> handler;
  private final int maxAttempts;
  private final KafkaConsumer<String, String> consumer;
  private final DeadLetters deadLetters;
  private final Counter received;
  private final java.util.concurrent.atomic.AtomicLong open = new java.util.concurrent.atomic.AtomicLong();
  /** The keys with a message in the way: their messages wait (stored) until it is re-driven or discarded. */
  private final java.util.Set<String> blocked = new java.util.HashSet<>();
  /** Completes once {@link #blocked} is loaded (again, after each assignment); messages wait for it. */
  private Future<Void> blockedLoaded = Future.succeededFuture();
  private final java.util.Set<Integer> assigned = new java.util.HashSet<>();
  private long checkTimer = -1;
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

  /**
   * What every subscriber of a node shares: the Kafka brokers, the dead-letter store, where to count, and how often a
   * handler may fail on a message before it is dead.
   */
  public record Options(String bootstrapServers, DeadLetters deadLetters, MeterRegistry registry, int maxAttempts) {
  }

  private TopicSubscriber(Vertx vertx, Options options, String topic, String group,
                          Function<TopicMessage, Future<Void>> handler) {
    this.vertx = vertx;
    String bootstrapServers = options.bootstrapServers();
    this.context = vertx.getOrCreateContext();
    this.topic = topic;
    this.group = group;
    this.handler = handler;
    this.maxAttempts = options.maxAttempts();
    this.deadLetters = options.deadLetters();
    Map<String, String> config = new HashMap<>();
    config.put("bootstrap.servers", bootstrapServers);
    config.put("group.id", group);
    config.put("enable.auto.commit", "false");
    config.put("auto.offset.reset", "earliest");
    config.put("max.poll.records", "500");
    config.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    config.put("value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    this.consumer = KafkaConsumer.create(vertx, config);
    this.received = Counter.builder("trader.dead_letters.received").description("Messages a subscriber dead-lettered")
      .tag("topic", topic).tag("subscriber", group).register(options.registry());
    Gauge.builder("trader.dead_letters.open", open, java.util.concurrent.atomic.AtomicLong::get)
      .description("Dead and waiting messages of the partitions this node consumes").tag("topic", topic)
      .tag("subscriber", group).register(options.registry());
  }

  /** Starts consuming {@code topic} as {@code group}, the keys with dead letters held back from the start. */
  public static TopicSubscriber start(Vertx vertx, Options options, String topic, String group,
                                      Function<TopicMessage, Future<Void>> handler) {
    // on an event loop of its own: the subscribers of a node would otherwise all share their starter's
    return EventLoops.onNewContext(vertx, () -> {
      TopicSubscriber subscriber = new TopicSubscriber(vertx, options, topic, group, handler);
      subscriber.running = true;
      subscriber.consumer.partitionsRevokedHandler(subscriber::revoked);
      subscriber.consumer.partitionsAssignedHandler(subscriber::assigned);
      subscriber.blockedLoaded = subscriber.loadBlocked();
      subscriber.consumer.subscribe(topic).onComplete(ar -> {
        if (ar.failed()) {
          LOG.warn("Subscriber {} cannot subscribe to {}: {}; retrying", group, topic, ar.cause().getMessage());
        }
        subscriber.pollOnce();
      });
      subscriber.checkTimer = vertx.setPeriodic(DEAD_LETTER_CHECK_MS, t -> subscriber.checkDeadLetters());
      return subscriber;
    });
  }

  /** The keys with dead letters, from the store; tried again until it answers (or the subscriber closes). */
  private Future<Void> loadBlocked() {
    return deadLetters.openKeys(group, topic).transform(ar -> {
      if (ar.succeeded()) {
        blocked.clear();
        blocked.addAll(ar.result());
        return Future.succeededFuture();
      }
      if (!running) {
        return Future.succeededFuture();
      }
      LOG.warn("Subscriber {} cannot read its dead letters: {}; retrying", group, ar.cause().getMessage());
      return delay(1000).compose(v -> loadBlocked());
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
    String key = keyOf(record.key());
    // a key's first message waits until the keys with dead letters are known
    Future<Void> previous = lastOfKey.getOrDefault(key, blockedLoaded);
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
      assigned.remove(partition.getPartition());
    }
  }

  /** Partitions given to this member: their keys' dead letters may have been stored by another node. */
  private void assigned(java.util.Set<TopicPartition> partitions) {
    partitions.forEach(p -> assigned.add(p.getPartition()));
    blockedLoaded = loadBlocked();
  }

  private static String keyOf(String recordKey) {
    return recordKey == null ? "" : recordKey;
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

  /** A message as it came, from Kafka or from the dead-letter store. */
  private record Received(int partition, long offset, String key, String value) {
    static Received of(KafkaConsumerRecord<String, String> record) {
      return new Received(record.partition(), record.offset(), keyOf(record.key()), record.value());
    }
  }

  /** How handling a message ended: handled, or failed for good after {@code attempts} (with the reason). */
  private record Outcome(String failure, int attempts) {
    static final Outcome HANDLED = new Outcome(null, 0);
  }

  /** Handles a message from Kafka; one that fails for good, or whose key is held back, is stored as a dead letter. */
  private Future<Void> handleOne(KafkaConsumerRecord<String, String> record) {
    Received message = Received.of(record);
    if (blocked.contains(message.key())) {
      return store(message, "waiting", "waits behind an earlier dead letter of its key", 0);
    }
    return handle(message).compose(outcome -> outcome.failure() == null ? Future.succeededFuture()
      : deadLetter(message, outcome));
  }

  /** Reads the envelope and runs the handler on it, with retries. */
  private Future<Outcome> handle(Received received) {
    TopicMessage message;
    try {
      JsonObject value = new JsonObject(received.value());
      if (value.getString("type") == null || value.getString("eventId") == null
        || !(value.getValue("payload") instanceof JsonObject)) {
        return Future.succeededFuture(new Outcome("not an event envelope: type, eventId and payload are required", 0));
      }
      message = new TopicMessage(received.key(), value);
    } catch (DecodeException | NullPointerException | ClassCastException e) {
      return Future.succeededFuture(new Outcome("not JSON: " + StorableText.printable(String.valueOf(e.getMessage())),
        0));
    }
    String unstorable = unstorable(message);
    if (unstorable != null) {
      // whatever the handler makes of it would fail where it is written (and the writes batched with it), or be
      // stored changed: never handled, and not retried
      return Future.succeededFuture(new Outcome(unstorable, 0));
    }
    return attempt(message, 1);
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

  private Future<Outcome> attempt(TopicMessage message, int attempt) {
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
    return EventLoops.on(context, result).map(v -> Outcome.HANDLED).recover(e -> {
      if (!running) {
        return Future.failedFuture(e);
      }
      if (Outages.isOutage(e)) {
        // the journal, an entity's node or Kafka is not there right now: wait for it, never dead-letter for this;
        // every command carries the id that makes it idempotent, so sending it again is safe
        long delay = Math.min(5_000, 100L << Math.min(6, attempt - 1));
        if (attempt % 10 == 1) {
          LOG.warn("Subscriber {}: message {} of {} waits for an unavailable service (attempt {}): {}", group,
            message.eventId(), topic, attempt, e.getMessage());
        }
        return delay(delay).compose(v -> attempt(message, attempt + 1));
      }
      String why = (e instanceof Refused ? "" : e.getClass().getSimpleName() + ": ") + e.getMessage();
      if (attempt >= maxAttempts) {
        return Future.succeededFuture(new Outcome("handler failed " + attempt + " times: " + why, attempt));
      }
      LOG.warn("Subscriber {}: message {} of {} failed (attempt {} of {}): {}", group, message.eventId(), topic,
        attempt, maxAttempts, why);
      return delay(100L << Math.min(8, attempt - 1)).compose(v -> attempt(message, attempt + 1));
    });
  }

  /** A handler's answer that this message can never be handled (e.g. the entity refused the command). */
  public static final class Refused extends RuntimeException {
    public Refused(String message) {
      super(message, null, false, false);
    }
  }

  /** Stores a message that failed for good as dead: its key's later messages wait behind it. */
  private Future<Void> deadLetter(Received message, Outcome outcome) {
    LOG.error("Subscriber {}: message at {}-{}@{} (key {}) is a dead letter, its key's later messages wait: {}",
      group, topic, message.partition(), message.offset(), message.key(), outcome.failure());
    blocked.add(message.key());
    received.increment();
    return store(message, "dead", outcome.failure(), outcome.attempts());
  }

  /** Stores a dead letter, tried again until the store answers: the message stays in hand (uncommitted) till then. */
  private Future<Void> store(Received message, String status, String reason, int attempts) {
    return deadLetters.add(group, topic, message.partition(), message.offset(), message.key(), message.value(),
        status, reason, attempts)
      .recover(e -> {
        if (!running) {
          return Future.failedFuture(e);
        }
        LOG.warn("Subscriber {}: cannot store a dead letter of {}: {}; retrying", group, topic, e.getMessage());
        return delay(1000).compose(v -> store(message, status, reason, attempts));
      });
  }

  /** Counts the dead letters in the way, and carries out what operators asked of those of this node's partitions. */
  private void checkDeadLetters() {
    if (!running) {
      return;
    }
    java.util.Set<Integer> partitions = java.util.Set.copyOf(assigned);
    deadLetters.openCount(group, topic, partitions).onSuccess(open::set);
    deadLetters.requestedKeys(group, topic, partitions).onSuccess(keys -> keys.forEach(key -> {
      Future<Void> previous = lastOfKey.getOrDefault(key, blockedLoaded);
      Future<Void> mine = previous.transform(ar -> running ? redrive(key) : Future.succeededFuture());
      lastOfKey.put(key, mine);
      mine.onComplete(ar -> lastOfKey.remove(key, mine));
    }));
  }

  /**
   * Carries out the requests on {@code key}'s dead letters, in order: discarded ones are settled; the first open one
   * is handled again if it was asked to be, or if those before it were settled in this pass (they were only in its
   * way); it stops at the first that fails again (dead once more) or was not asked for. The key goes on once none is
   * left.
   */
  private Future<Void> redrive(String key) {
    return deadLetters.openOf(group, topic, key).compose(letters -> settleInOrder(letters, 0, false))
      .compose(v -> deadLetters.openOf(group, topic, key))
      .map(left -> {
        if (left.isEmpty()) {
          blocked.remove(key);
          LOG.info("Subscriber {}: key {} of {} has no dead letter left and goes on", group, key, topic);
        }
        return (Void) null;
      })
      .recover(e -> {
        LOG.warn("Subscriber {}: re-drive of key {} of {} stopped: {}", group, key, topic, e.getMessage());
        return Future.succeededFuture();
      });
  }

  private Future<Void> settleInOrder(java.util.List<DeadLetters.Letter> letters, int i, boolean cleared) {
    if (i == letters.size() || !running) {
      return Future.succeededFuture();
    }
    DeadLetters.Letter letter = letters.get(i);
    if (DeadLetters.Action.DISCARD.column().equals(letter.requested())) {
      LOG.info("Subscriber {}: dead letter {} ({}-{}@{}) discarded by an operator", group, letter.id(), topic,
        letter.partition(), letter.offset());
      return deadLetters.settle(letter.id(), "discarded", null, 0)
        .compose(v -> settleInOrder(letters, i + 1, true));
    }
    if (!cleared && !DeadLetters.Action.REDRIVE.column().equals(letter.requested())) {
      return Future.succeededFuture(); // the first in the way, not asked for: the rest wait behind it
    }
    Received message = new Received(letter.partition(), letter.offset(), letter.key(), letter.text());
    return handle(message).compose(outcome -> {
      if (outcome.failure() != null) {
        LOG.error("Subscriber {}: re-driven dead letter {} failed again: {}", group, letter.id(), outcome.failure());
        return deadLetters.settle(letter.id(), "dead", outcome.failure(), outcome.attempts());
      }
      LOG.info("Subscriber {}: dead letter {} ({}-{}@{}) re-driven", group, letter.id(), topic, letter.partition(),
        letter.offset());
      return deadLetters.settle(letter.id(), "done", null, 1).compose(v -> settleInOrder(letters, i + 1, true));
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
    vertx.cancelTimer(checkTimer);
    return stopped.future().timeout(15, java.util.concurrent.TimeUnit.SECONDS)
      .transform(ar -> Future.<Void>future(p -> context.runOnContext(v -> committed().onComplete(p)))
        .timeout(5, java.util.concurrent.TimeUnit.SECONDS))
      .transform(ar -> consumer.close()).mapEmpty();
  }
}
