package trader.eventsourcing.topic;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The messages topic subscribers could not handle, in PostgreSQL (table {@code dead_letters}), so that every node
 * and operator sees the same: a message that failed for good is {@code dead}, and the later messages of its key wait
 * behind it ({@code waiting}) until an operator re-drives or discards it. The subscriber that consumes the key's
 * partition carries out what operators ask ({@link #request}); re-driven and discarded messages stay as the record of
 * what happened ({@code done}, {@code discarded}).
 */
public final class DeadLetters {

  /** A dead letter as stored. {@code value} is the message as it came (any bytes). */
  public record Letter(long id, String subscriber, String topic, int partition, long offset, String key, byte[] value,
                       String status, String reason, int attempts, Instant firstFailure, Instant lastFailure,
                       String requested) {

    /** The message's value as text (UTF-8). */
    public String text() {
      return new String(value, StandardCharsets.UTF_8);
    }

    /** Whether it is still in the way: dead, or waiting behind a dead one. */
    public boolean open() {
      return "dead".equals(status) || "waiting".equals(status);
    }
  }

  /** What an operator may ask of a dead letter, or of all of one key's. */
  public enum Action {
    REDRIVE, DISCARD;

    String column() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** An operator's request that cannot be carried out as asked. */
  public static final class NotAllowed extends RuntimeException {
    public NotAllowed(String message) {
      super(message, null, false, false);
    }
  }

  private static final String COLUMNS = "id, subscriber, topic, kafka_partition, kafka_offset, message_key, value, "
    + "status, reason, attempts, first_failure_at, last_failure_at, requested";

  private final Pool pool;

  private DeadLetters(Pool pool) {
    this.pool = pool;
  }

  public static DeadLetters create(Pool pool) {
    return new DeadLetters(pool);
  }

  /** The keys of {@code subscriber}'s {@code topic} that have a message in the way. */
  Future<Set<String>> openKeys(String subscriber, String topic) {
    return pool.preparedQuery("select distinct message_key from dead_letters where subscriber = $1 and topic = $2 "
        + "and status in ('dead', 'waiting')").execute(Tuple.of(subscriber, topic))
      .map(rows -> {
        Set<String> keys = new HashSet<>();
        rows.forEach(r -> keys.add(r.getString(0)));
        return keys;
      });
  }

  /** Stores a message as dead or waiting; the same message stored again (a redelivery) is kept once. */
  Future<Void> add(String subscriber, String topic, int partition, long offset, String key, String value,
                   String status, String reason, int attempts) {
    return pool.preparedQuery("insert into dead_letters (subscriber, topic, kafka_partition, kafka_offset, "
        + "message_key, value, status, reason, attempts) values ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
        + "on conflict (subscriber, topic, kafka_partition, kafka_offset) do nothing")
      .execute(Tuple.from(new Object[] {subscriber, topic, partition, offset, storable(key),
        Buffer.buffer(value == null ? "" : value), status, storable(reason), attempts}))
      .mapEmpty();
  }

  /** The open messages of {@code key} on {@code subscriber}'s {@code topic}, oldest first. */
  Future<List<Letter>> openOf(String subscriber, String topic, String key) {
    return pool.preparedQuery("select " + COLUMNS + " from dead_letters where subscriber = $1 and topic = $2 "
        + "and message_key = $3 and status in ('dead', 'waiting') order by id")
      .execute(Tuple.of(subscriber, topic, storable(key))).map(DeadLetters::letters);
  }

  /** Records how letter {@code id} ended (done, discarded) or failed again (dead); the request is cleared. */
  Future<Void> settle(long id, String status, String reason, int attempts) {
    boolean settled = "done".equals(status) || "discarded".equals(status);
    return pool.preparedQuery("update dead_letters set status = $2, reason = coalesce($3, reason), "
        + "attempts = attempts + $4, requested = null, last_failure_at = case when $5 then last_failure_at else now() "
        + "end, settled_at = case when $5 then now() end where id = $1")
      .execute(Tuple.of(id, status, storable(reason), attempts, settled)).mapEmpty();
  }

  /** The keys of {@code subscriber}'s {@code topic}, on {@code partitions}, that an operator asked something of. */
  Future<List<String>> requestedKeys(String subscriber, String topic, Set<Integer> partitions) {
    if (partitions.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return pool.preparedQuery("select distinct message_key from dead_letters where subscriber = $1 and topic = $2 "
        + "and kafka_partition = any($3) and requested is not null and status in ('dead', 'waiting')")
      .execute(Tuple.of(subscriber, topic, partitions.toArray(Integer[]::new)))
      .map(rows -> {
        List<String> keys = new ArrayList<>();
        rows.forEach(r -> keys.add(r.getString(0)));
        return keys;
      });
  }

  /** How many messages of {@code subscriber}'s {@code topic}, on {@code partitions}, are in the way. */
  Future<Long> openCount(String subscriber, String topic, Set<Integer> partitions) {
    if (partitions.isEmpty()) {
      return Future.succeededFuture(0L);
    }
    return pool.preparedQuery("select count(*) from dead_letters where subscriber = $1 and topic = $2 "
        + "and kafka_partition = any($3) and status in ('dead', 'waiting')")
      .execute(Tuple.of(subscriber, topic, partitions.toArray(Integer[]::new)))
      .map(rows -> rows.iterator().next().getLong(0));
  }

  /**
   * The dead letters, newest first, optionally only those of one subscriber, topic or key, and only the open ones
   * unless {@code all}.
   */
  public Future<List<Letter>> list(String subscriber, String topic, String key, boolean all, int limit) {
    return pool.preparedQuery("select " + COLUMNS + " from dead_letters where ($1::text is null or subscriber = $1) "
        + "and ($2::text is null or topic = $2) and ($3::text is null or message_key = $3) "
        + "and ($4 or status in ('dead', 'waiting')) order by id desc limit $5")
      .execute(Tuple.of(subscriber, topic, key, all, limit)).map(DeadLetters::letters);
  }

  /** One dead letter, or null. */
  public Future<Letter> get(long id) {
    return pool.preparedQuery("select " + COLUMNS + " from dead_letters where id = $1").execute(Tuple.of(id))
      .map(rows -> rows.size() == 0 ? null : letters(rows).getFirst());
  }

  /**
   * Asks for {@code action} on letter {@code id}. A re-drive is of the first open message of its key only (the
   * others wait behind it: re-driving it re-drives them, in order); discarding the first lets the ones behind it go
   * on. Fails with {@link NotAllowed} for a letter that is not open or waits behind another; the answer is the number
   * of letters asked (0 if there is none with that id).
   */
  public Future<Integer> request(long id, Action action) {
    return get(id).compose(letter -> {
      if (letter == null) {
        return Future.succeededFuture(0);
      }
      if (!letter.open()) {
        return Future.failedFuture(new NotAllowed("Dead letter " + id + " is " + letter.status() + " already"));
      }
      return openOf(letter.subscriber(), letter.topic(), letter.key()).compose(open -> {
        long head = open.isEmpty() ? id : open.getFirst().id();
        if (action == Action.REDRIVE && head != id) {
          return Future.failedFuture(new NotAllowed("Dead letter " + id + " waits behind dead letter " + head
            + " of the same key: re-drive or discard that one (its key's messages go on in order)"));
        }
        return mark("id = $2", Tuple.of(action.column(), id));
      });
    });
  }

  /** Asks for {@code action} on every open letter of {@code key}: re-driven in order, or all discarded. */
  public Future<Integer> requestKey(String subscriber, String key, Action action) {
    return mark("subscriber = $2 and message_key = $3", Tuple.of(action.column(), subscriber, storable(key)));
  }

  private Future<Integer> mark(String where, Tuple args) {
    return pool.preparedQuery("update dead_letters set requested = $1 where " + where
      + " and status in ('dead', 'waiting')").execute(args).map(rows -> rows.rowCount());
  }

  private static List<Letter> letters(Iterable<Row> rows) {
    List<Letter> letters = new ArrayList<>();
    for (Row r : rows) {
      letters.add(new Letter(r.getLong("id"), r.getString("subscriber"), r.getString("topic"),
        r.getInteger("kafka_partition"), r.getLong("kafka_offset"), r.getString("message_key"),
        r.getBuffer("value").getBytes(), r.getString("status"), r.getString("reason"), r.getInteger("attempts"),
        r.getOffsetDateTime("first_failure_at").toInstant(), r.getOffsetDateTime("last_failure_at").toInstant(),
        r.getString("requested")));
    }
    return letters;
  }

  /** Text PostgreSQL can store: a NUL (which it cannot) becomes U+FFFD; the message itself is kept as bytes. */
  static String storable(String text) {
    return text == null ? null : text.replace('\u0000', '\uFFFD');
  }
}
