package trader.portfolio;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import trader.eventsourcing.journal.StoredEvent;
import trader.eventsourcing.projection.Projection;

import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The portfolio read side: per portfolio its owner, name, cash and its state, computed with the domain's own
 * {@code evolve} (so the view is the fold of the journal by construction) but without the outcomes of completed
 * orders (the entity needs them to ignore a repeated result; the order history is {@link OrderViews}', and they grew
 * every row's size and every batch's cost with the portfolio's age), plus a history row per event. Each
 * committed change is pushed on {@code user.<ownerId>.portfolios}.
 */
final class PortfolioViews implements Projection {

  static final String NAME = "portfolio_views";
  private static final String PREFIX = Portfolio.NAME + "|";

  private final Portfolio portfolio = new Portfolio();
  private final Vertx vertx;
  /** Owners of portfolios seen in recent batches, for the pushes after commit. */
  private final Map<String, String> owners = BoundedMap.create(100_000, false);
  /**
   * The states of recently written rows, so a batch need not read and decode a portfolio's whole state (which grows
   * with its order history) when the row still has the version cached. Only committed rows enter it; both shards'
   * runners (and a rebuild) may share this instance, on different threads.
   */
  private final Map<String, Cached> states = BoundedMap.create(2_000, true);
  /** States written by batches not known to be committed yet; see {@link #committed}. */
  private final Map<String, Cached> applied = BoundedMap.create(2_000, false);
  private final AtomicLong stateReads = new AtomicLong();

  /** A portfolio's state as its row stores it at {@code version}. */
  private record Cached(long version, PortfolioState.Opened state) {
  }

  PortfolioViews(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int shards() {
    return 2;
  }

  @Override
  public boolean handles(StoredEvent event) {
    return event.streamId().startsWith(PREFIX);
  }

  /**
   * Read by people (pushed to their browsers; a read with a position waits for it): up to 20 ms later is not seen, a
   * transaction per event or two under load is.
   */
  @Override
  public java.time.Duration batchInterval() {
    return java.time.Duration.ofMillis(20);
  }

  @Override
  public List<String> tables() {
    return List.of("portfolios", "portfolio_history");
  }

  @Override
  public Future<Void> createTables(SqlConnection c) {
    return c.query("""
        create table portfolios (
          portfolio_id  text primary key,
          owner_id      text not null,
          name          text not null,
          closed        boolean not null,
          cash          numeric(20, 2) not null,
          reserved_cash numeric(20, 2) not null,
          state_type    text not null,
          state         jsonb not null,
          version       bigint not null,
          opened_at     timestamptz not null,
          updated_at    timestamptz not null)""").execute()
      .compose(r -> c.query("create index portfolios_owner on portfolios (owner_id, opened_at)").execute())
      .compose(r -> c.query("""
        create table portfolio_history (
          portfolio_id  text not null,
          version       bigint not null,
          at            timestamptz not null,
          kind          text not null,
          detail        jsonb not null,
          primary key (portfolio_id, version))""").execute())
      .mapEmpty();
  }

  @Override
  public Future<Void> apply(SqlConnection c, List<StoredEvent> events) {
    Map<String, List<StoredEvent>> byPortfolio = new LinkedHashMap<>();
    List<Tuple> history = new ArrayList<>();
    for (StoredEvent e : events) {
      String id = e.streamId().substring(PREFIX.length());
      byPortfolio.computeIfAbsent(id, k -> new ArrayList<>()).add(e);
      history.add(Tuple.of(id, e.version(), e.timestamp().atOffset(ZoneOffset.UTC),
        e.type().substring(Portfolio.NAME.length() + 1), e.payload()));
    }
    // A row is at the version before its batch's first event (a stream's events reach the runner in order), so a
    // state cached at that version is the row's state: no need to read it. The upsert checks the version anyway.
    Map<String, Cached> base = new HashMap<>();
    List<String> misses = new ArrayList<>();
    byPortfolio.forEach((id, list) -> {
      Cached cached = states.get(id);
      if (cached != null && cached.version() == list.get(0).version() - 1) {
        base.put(id, cached);
      } else {
        misses.add(id);
      }
    });
    Map<String, Cached> written = new HashMap<>();
    return read(c, misses)
      .compose(rows -> {
        base.putAll(rows);
        return upsert(c, byPortfolio, base, written);
      })
      // rows not at the version expected (changed behind the cache): read them and apply the batch to what they hold
      .compose(stale -> stale.isEmpty() ? Future.succeededFuture() : read(c, stale)
        .compose(rows -> upsert(c, only(byPortfolio, stale), rows, written))
        .compose(still -> still.isEmpty() ? Future.succeededFuture()
          : Future.failedFuture(new IllegalStateException("portfolio rows " + still + " changed during the batch"))))
      .compose(v -> c.preparedQuery("insert into portfolio_history (portfolio_id, version, at, kind, detail) "
        + "values ($1, $2, $3, $4, $5)").executeBatch(history))
      // kept aside: the transaction may still roll back
      .map(r -> {
        applied.putAll(written);
        return null;
      });
  }

  /** The stored states (and versions) of those of {@code ids} that have a row. */
  private Future<Map<String, Cached>> read(SqlConnection c, List<String> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return c.preparedQuery("select portfolio_id, state_type, state, version from portfolios "
        + "where portfolio_id = any($1)")
      .execute(Tuple.of(ids.toArray(String[]::new)))
      .map(rows -> {
        stateReads.addAndGet(rows.size());
        Map<String, Cached> read = new HashMap<>();
        for (Row r : rows) {
          if (portfolio.states().decode(r.getString("state_type"), (JsonObject) r.getValue("state"))
              instanceof PortfolioState.Opened open) {
            read.put(r.getString("portfolio_id"), new Cached(r.getLong("version"), open));
          }
        }
        return read;
      });
  }

  /**
   * Writes each portfolio's state after its events, from {@code base} (none: a new portfolio), where its row is still
   * at the base's version; the portfolios whose row was not are returned.
   */
  private Future<List<String>> upsert(SqlConnection c, Map<String, List<StoredEvent>> byPortfolio,
                                      Map<String, Cached> base, Map<String, Cached> written) {
    List<Tuple> views = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    Map<String, Cached> after = new HashMap<>();
    byPortfolio.forEach((id, list) -> {
      Cached from = base.get(id);
      PortfolioState state = from == null ? portfolio.initialState() : from.state();
      for (StoredEvent e : list) {
        state = portfolio.evolve(state, portfolio.events().decode(e.type(), e.payload()));
      }
      if (state instanceof PortfolioState.Opened opened) {
        PortfolioState.Opened open = opened.withoutCompletedOrders();
        owners.put(id, open.ownerId());
        StoredEvent last = list.get(list.size() - 1);
        ids.add(id);
        after.put(id, new Cached(last.version(), open));
        views.add(Tuple.from(new Object[] {id, open.ownerId(), open.name(), open.closed(), open.cash(),
          open.reservedCash(), portfolio.states().typeName(open), portfolio.states().encodeText(open), last.version(),
          list.get(0).timestamp().atOffset(ZoneOffset.UTC), last.timestamp().atOffset(ZoneOffset.UTC),
          from == null ? null : from.version()}));
      }
    });
    if (views.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    // opened_at is only inserted (a new row's first event opens the portfolio); an existing row keeps its own
    return c.preparedQuery("""
        insert into portfolios (portfolio_id, owner_id, name, closed, cash, reserved_cash, state_type, state,
                                version, opened_at, updated_at)
        values ($1, $2, $3, $4, $5, $6, $7, $8::text::jsonb, $9, $10, $11)
        on conflict (portfolio_id) do update set name = excluded.name, closed = excluded.closed,
          cash = excluded.cash, reserved_cash = excluded.reserved_cash, state_type = excluded.state_type,
          state = excluded.state, version = excluded.version, updated_at = excluded.updated_at
        where portfolios.version = $12::bigint
        returning portfolio_id""")
      .executeBatch(views)
      .map(result -> {
        List<String> stale = new ArrayList<>();
        RowSet<Row> each = result;
        for (String id : ids) {
          if (each.size() == 1) {
            written.put(id, after.get(id));
          } else {
            stale.add(id);
          }
          each = each.next();
        }
        return stale;
      });
  }

  private static Map<String, List<StoredEvent>> only(Map<String, List<StoredEvent>> byPortfolio, List<String> ids) {
    Map<String, List<StoredEvent>> some = new LinkedHashMap<>();
    ids.forEach(id -> some.put(id, byPortfolio.get(id)));
    return some;
  }

  @Override
  public void committed(List<StoredEvent> events) {
    Map<String, StoredEvent> last = new LinkedHashMap<>();
    events.forEach(e -> last.put(e.streamId().substring(PREFIX.length()), e));
    last.forEach((id, event) -> {
      // only this batch's own state: a rebuild's apply, which never commits through here, may have replaced it
      Cached written = applied.remove(id);
      if (written != null && written.version() == event.version()) {
        states.put(id, written);
      }
      String owner = owners.get(id);
      if (owner != null) {
        vertx.eventBus().publish("user." + owner + ".portfolios", new JsonObject().put("portfolioId", id)
          .put("event", "changed").put("position", event.position().toString()));
      }
    });
  }

  /** How many states batches read and decoded from their rows (cache misses), for tests. */
  long stateReads() {
    return stateReads.get();
  }
}
