package trader.broker;

import trader.eventsourcing.journal.Position;
import trader.eventsourcing.journal.SessionNames;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import trader.broker.OrderCommand.Expire;
import trader.broker.OrderCommand.Fill;
import trader.broker.OrderCommand.Trigger;
import trader.broker.OrderEvent.OrderAccepted;
import trader.eventsourcing.entity.EntityRef;
import trader.eventsourcing.entity.Reply;
import trader.platform.Engine;
import trader.platform.TopicTail;
import trader.quotes.Quote;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * The exchange: on exactly one node of the cluster (the holder of the PostgreSQL advisory lock {@code broker:exchange},
 * on a connection of its own, so a stopped or crashed node's lock goes with its session), it keeps the
 * {@link OrderBooks} in memory, executes them against each quote of {@code market.quotes} and sends the resulting
 * {@code Trigger}/{@code Fill} commands to the orders; DAY orders are expired at the session close. A new order is
 * executed at once against its symbol's latest quote if that is fresh (not stale, at most
 * {@code orders.quote-max-age-ms} old), otherwise it waits for the next quote. The other nodes retry the lock every
 * second. On taking the lock the books are rebuilt from {@link BrokerOrders}; new and closed orders arrive on
 * {@link BrokerOrders#CHANGES}. Those announcements are best-effort: each says which change came before it, and an
 * exchange that missed one (or hears nothing for a second) reads the rows changed since the last change it applied,
 * so a lost message delays an order by a second at most, never leaves it unworked. The Order entity is the arbiter:
 * a command that no longer applies (an order closed meanwhile) is refused and changes nothing. Commands whose outcome
 * is unknown are tried again: a fill by putting the order back in the book, an expiry until it is done.
 */
final class Exchange extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(Exchange.class);
  private static final String LOCK = "broker:exchange";
  /**
   * {@code {orderId, status: OPEN, details}} published by the broker as soon as an Order entity accepted a placement,
   * ahead of the same change from {@link BrokerOrders#CHANGES} (a read side hop later); whichever comes first puts
   * the order in the book, the second is ignored.
   */
  static final String ACCEPTED = "broker.exchange.accepted";
  private static final int MAX_UNMATCHED = 100_000;
  /** How often the rows are read for changes no announcement brought, and the page size of such a read. */
  static final long RECONCILE_MS = 1000;
  private static final int RECONCILE_PAGE = 1000;
  private static final long MAX_EXPIRY_RETRY_MS = 30_000;

  private final Engine engine;
  private final EntityRef<OrderCommand> orders;
  private final LocalTime sessionClose;
  private final long quoteMaxAgeMs;
  private OrderBooks books;
  /** The latest quote per symbol received since the books were built: after a rebuild, none until one arrives. */
  private final java.util.Map<String, Quote> latestQuotes = new java.util.HashMap<>();
  /** Announcements (batches, or direct openings marked so) seen while the books are rebuilt; null otherwise. */
  private List<JsonObject> changesDuringRebuild;
  /** The position of the latest change of the read side applied to the books (in their order, or by a read). */
  private Position synced = Position.START;
  /** A read of changed rows is running; another was asked for meanwhile. */
  private boolean reconciling;
  private boolean reconcileAgain;
  private long reconcileTimer = -1;
  /** Orders opened by one source whose other source has not told yet: true = direct, false = read side. */
  private final java.util.Map<String, Boolean> openedOnce = new java.util.LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(java.util.Map.Entry<String, Boolean> eldest) {
      return size() > MAX_UNMATCHED; // a source that never tells (a crash between the two) leaves an entry
    }
  };
  private PgConnection lock;
  private TopicTail quotes;
  private long closeTimer = -1;
  private long retryTimer = -1;
  private boolean stopping;

  Exchange(Engine engine, EntityRef<OrderCommand> orders) {
    this.engine = engine;
    this.orders = orders;
    this.sessionClose = LocalTime.parse(engine.settings().string("orders.session-close"));
    this.quoteMaxAgeMs = engine.settings().integer("orders.quote-max-age-ms", 0, Integer.MAX_VALUE);
  }

  @Override
  public Future<?> start() {
    vertx.eventBus().<JsonObject>consumer(BrokerOrders.CHANGES, m -> onBatch(m.body()));
    vertx.eventBus().<JsonObject>consumer(ACCEPTED, m -> onDirect(m.body()));
    acquire();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(retryTimer);
    return resign();
  }

  /** Whether this node runs the exchange now. */
  boolean active() {
    return books != null;
  }

  private void acquire() {
    if (stopping) {
      return;
    }
    PgConnection.connect(vertx, SessionNames.withPurpose(engine.pgConnectOptions(), "lock:" + LOCK))
      .compose(c -> c.preparedQuery("select pg_try_advisory_lock(hashtext($1))").execute(Tuple.of(LOCK))
        .compose(rows -> {
          if (!rows.iterator().next().getBoolean(0)) {
            return c.close().map(false);
          }
          lock = c;
          c.closeHandler(v -> {
            // only while it is still the lock: resign() closes it too, after failures, and must not retry twice
            if (!stopping && lock == c) {
              LOG.warn("Exchange lost its lock connection; resigning");
              resign().onComplete(r -> retryLater());
            }
          });
          return rebuild().map(true);
        }))
      .onSuccess(won -> {
        if (!won) {
          retryLater();
        }
      })
      .onFailure(e -> {
        LOG.warn("Exchange could not take its lock or rebuild: {}; retrying", e.getMessage());
        resign().onComplete(r -> retryLater());
      });
  }

  private void retryLater() {
    if (!stopping) {
      retryTimer = vertx.setTimer(1000, t -> acquire());
    }
  }

  /** The books from the open orders of the read side; DAY orders from before the last session close expire. */
  private Future<Void> rebuild() {
    // changes that arrive while the books are read are replayed on them: none may fall between read and install
    changesDuringRebuild = new java.util.ArrayList<>();
    Instant lastClose = lastSessionClose(Instant.now());
    return engine.progress().awaitCommitted(BrokerOrders.NAME, java.time.Duration.ofSeconds(10))
      .recover(e -> Future.succeededFuture())
      // the latest change first: whatever changes after it is read again by the first reconciliation
      .compose(v -> lock.query("select changed_tx, changed_seq from broker_orders "
        + "order by changed_tx desc, changed_seq desc limit 1").execute())
      .compose(latest -> {
        synced = latest.size() == 0 ? Position.START
          : new Position(latest.iterator().next().getLong(0), latest.iterator().next().getLong(1));
        return lock.query("select details, status, accepted_at from broker_orders "
          + "where status in ('OPEN', 'TRIGGERED')").execute();
      })
      .map(rows -> {
        OrderBooks rebuilt = new OrderBooks();
        List<String> expired = new java.util.ArrayList<>();
        for (Row r : rows) {
          OrderDetails o = details(r.getJsonObject("details"));
          if (o.timeInForce() == TimeInForce.DAY && r.getOffsetDateTime("accepted_at").toInstant().isBefore(lastClose)) {
            expired.add(o.orderId());
          } else if ("TRIGGERED".equals(r.getString("status"))) {
            rebuilt.addTriggered(o);
          } else {
            rebuilt.add(o);
          }
        }
        books = rebuilt;
        // after the books are in: an expiry that fails is retried only while this node runs the exchange
        expired.forEach(this::expire);
        List<JsonObject> missed = changesDuringRebuild;
        changesDuringRebuild = null;
        missed.forEach(m -> {
          if (m.getBoolean("direct", false)) {
            onDirect(m);
          } else {
            onBatch(m);
          }
        });
        reconcileTimer = vertx.setPeriodic(RECONCILE_MS, t -> reconcile());
        // only quotes from now on: old prices must not execute the rebuilt books
        quotes = TopicTail.start(vertx, engine.kafkaBootstrapServers(), engine.topic("market.quotes"), false,
          (key, quote) -> onQuote(quote));
        scheduleSessionClose();
        LOG.info("Exchange running here with {} resting orders", rebuilt.size());
        return null;
      });
  }

  private Future<Void> resign() {
    books = null;
    changesDuringRebuild = null;
    openedOnce.clear();
    latestQuotes.clear(); // old prices must not execute the next rebuilt books
    vertx.cancelTimer(closeTimer);
    vertx.cancelTimer(reconcileTimer);
    reconcileAgain = false;
    Future<Void> closed = quotes == null ? Future.succeededFuture() : quotes.close();
    quotes = null;
    PgConnection c = lock;
    lock = null;
    return closed.eventually(() -> c == null ? Future.succeededFuture() : c.close());
  }

  /** An opening straight from the placement subscriber: a read-side hop sooner than its announcement. */
  private void onDirect(JsonObject opening) {
    if (books == null) {
      if (changesDuringRebuild != null) {
        changesDuringRebuild.add(opening.copy().put("direct", true));
      }
      return;
    }
    onChange(opening, true);
  }

  /**
   * A batch of the read side's changes: applied if it follows the last change applied; otherwise one was missed (or
   * this batch was read already), and the rows changed since are read.
   */
  private void onBatch(JsonObject batch) {
    if (books == null) {
      if (changesDuringRebuild != null) {
        changesDuringRebuild.add(batch);
      }
      return;
    }
    JsonArray changes = batch.getJsonArray("changes");
    if (changes == null || changes.isEmpty()) {
      return;
    }
    Position last = Position.parse(changes.getJsonObject(changes.size() - 1).getString("position"));
    if (!last.isAfter(synced)) {
      return; // a reconciliation applied it already
    }
    if (!synced.toString().equals(batch.getString("after"))) {
      reconcile();
      return;
    }
    for (int i = 0; i < changes.size(); i++) {
      onChange(changes.getJsonObject(i), false);
    }
    synced = last;
  }

  /** Reads the rows changed after {@link #synced}, in order, and applies them as the read side's report of them. */
  private void reconcile() {
    if (books == null || lock == null) {
      return;
    }
    if (reconciling) {
      reconcileAgain = true;
      return;
    }
    reconciling = true;
    PgConnection c = lock;
    c.preparedQuery(BrokerOrders.CHANGED_SINCE)
      .execute(Tuple.of(synced.transactionId(), synced.sequence(), RECONCILE_PAGE))
      .onComplete(ar -> {
        reconciling = false;
        if (ar.failed() || books == null || c != lock) {
          return; // the next period tries again; a lost lock connection resigns
        }
        for (Row r : ar.result()) {
          JsonObject change = new JsonObject().put("orderId", r.getString("order_id")).put("status",
            r.getString("status"));
          if ("OPEN".equals(r.getString("status"))) {
            change.put("details", r.getJsonObject("details"));
          }
          onChange(change, false);
          synced = new Position(r.getLong("changed_tx"), r.getLong("changed_seq"));
        }
        if (ar.result().size() == RECONCILE_PAGE || reconcileAgain) {
          reconcileAgain = false;
          reconcile();
        }
      });
  }

  /** An order opened or closed, as the read side ({@code direct} false) or the placement subscriber tells. */
  private void onChange(JsonObject change, boolean direct) {
    String status = change.getString("status");
    String orderId = change.getString("orderId");
    if ("OPEN".equals(status)) {
      Boolean first = openedOnce.get(orderId);
      if (first != null && first != direct) {
        // the second report of the same opening: the order is in the book already, or filled and gone
        openedOnce.remove(orderId);
        return;
      }
      if (first != null) {
        return; // the same source again
      }
      openedOnce.put(orderId, direct);
      OrderDetails order = details(change.getJsonObject("details"));
      execute(books.addAt(order, usableQuote(order.symbol())));
    } else if (!"TRIGGERED".equals(status)) {
      openedOnce.remove(orderId);
      books.cancel(orderId);
    }
  }

  private void onQuote(JsonObject json) {
    if (books == null) {
      return;
    }
    Quote quote;
    try {
      quote = new Quote(json.getString("symbol"), new BigDecimal(json.getString("bid")),
        new BigDecimal(json.getString("ask")), new BigDecimal(json.getString("last")),
        Instant.parse(json.getString("time")), json.getBoolean("stale", false));
    } catch (RuntimeException e) {
      LOG.warn("Skipping a malformed quote {}: {}", json, e.getMessage());
      return;
    }
    latestQuotes.put(quote.symbol(), quote);
    execute(books.onQuote(quote));
  }

  /**
   * The latest quote of {@code symbol} if a new order may execute against it now, else null: not older than the
   * maximum age by its own time (the market may have moved since; 0 turns execution on arrival off). A stale one
   * is returned: the book executes nothing against it.
   */
  private Quote usableQuote(String symbol) {
    Quote quote = latestQuotes.get(symbol);
    Instant now = Instant.now();
    if (quote == null || quoteMaxAgeMs == 0 || quote.time().plusMillis(quoteMaxAgeMs).isBefore(now)) {
      return null;
    }
    // its prices, but executed now: a fill must not be dated before the order arrived
    return new Quote(quote.symbol(), quote.bid(), quote.ask(), quote.last(), now, quote.stale());
  }

  private void execute(List<BookEvent> events) {
    for (BookEvent event : events) {
      OrderDetails o = event.order();
      switch (event) {
        case BookEvent.Triggered t -> send(o, new Trigger(t.time()), false);
        case BookEvent.Filled f -> send(o, new Fill(f.price(), f.time()), true);
      }
    }
  }

  /** Sends {@code command}; if its outcome is unknown (no reply), a fill puts the order back to be tried again. */
  private void send(OrderDetails o, OrderCommand command, boolean retryable) {
    orders.send(o.orderId(), command).onComplete(r -> {
      if (r.failed()) {
        LOG.warn("Order {}: {} failed: {}", o.orderId(), command, r.cause().getMessage());
        if (retryable && books != null) {
          books.add(o);
        }
      } else if (r.result() instanceof Reply.Rejected rejected) {
        LOG.debug("Order {} refused {}: {}", o.orderId(), command, rejected.reason());
      }
    });
  }

  private void scheduleSessionClose() {
    Instant now = Instant.now();
    Instant next = lastSessionClose(now).plus(java.time.Duration.ofDays(1));
    closeTimer = vertx.setTimer(Math.max(1, next.toEpochMilli() - now.toEpochMilli()), t -> {
      if (books != null) {
        books.expireDay().forEach(o -> expire(o.orderId()));
        scheduleSessionClose();
      }
    });
  }

  /** Expires a DAY order; tried again (while this node runs the exchange) until the order has its answer. */
  private void expire(String orderId) {
    expire(orderId, 500);
  }

  private void expire(String orderId, long retryMs) {
    orders.send(orderId, new Expire()).onFailure(e -> {
      if (books == null || stopping) {
        return; // the next exchange's rebuild expires what is left
      }
      LOG.warn("Order {}: expiry failed: {}; trying again in {} ms", orderId, e.getMessage(), retryMs);
      vertx.setTimer(retryMs, t -> expire(orderId, Math.min(MAX_EXPIRY_RETRY_MS, retryMs * 2)));
    });
  }

  /** The latest session close at or before {@code now} (UTC). */
  Instant lastSessionClose(Instant now) {
    ZonedDateTime today = ZonedDateTime.of(LocalDate.ofInstant(now, ZoneOffset.UTC), sessionClose, ZoneOffset.UTC);
    Instant close = today.toInstant();
    return close.isAfter(now) ? close.minus(java.time.Duration.ofDays(1)) : close;
  }

  private static OrderDetails details(JsonObject accepted) {
    return ((OrderAccepted) new Order().events().decode("order.accepted", accepted)).details();
  }
}
