package trader.portfolio;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
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

/**
 * The portfolio read side: per portfolio its owner, name, cash and the whole state, computed with the domain's own
 * {@code evolve} (so the view is the fold of the journal by construction), plus a history row per event. Each
 * committed change is pushed on {@code user.<ownerId>.portfolios}.
 */
final class PortfolioViews implements Projection {

  static final String NAME = "portfolio_views";
  private static final String PREFIX = Portfolio.NAME + "|";

  private final Portfolio portfolio = new Portfolio();
  private final Vertx vertx;
  /** Owners of portfolios seen in recent batches, for the pushes after commit. */
  private final Map<String, String> owners = java.util.Collections.synchronizedMap(new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
      return size() > 100_000;
    }
  });

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
    for (StoredEvent e : events) {
      byPortfolio.computeIfAbsent(e.streamId().substring(PREFIX.length()), k -> new ArrayList<>()).add(e);
    }
    String[] ids = byPortfolio.keySet().toArray(String[]::new);
    return c.preparedQuery("select portfolio_id, state_type, state, opened_at from portfolios "
        + "where portfolio_id = any($1)").execute(Tuple.of(ids))
      .compose(rows -> {
        Map<String, Row> current = new HashMap<>();
        rows.forEach(r -> current.put(r.getString("portfolio_id"), r));
        List<Tuple> views = new ArrayList<>();
        List<Tuple> history = new ArrayList<>();
        byPortfolio.forEach((id, list) -> {
          Row row = current.get(id);
          PortfolioState state = row == null ? portfolio.initialState()
            : portfolio.states().decode(row.getString("state_type"), (JsonObject) row.getValue("state"));
          java.time.OffsetDateTime openedAt = row == null ? list.get(0).timestamp().atOffset(ZoneOffset.UTC)
            : row.getOffsetDateTime("opened_at");
          for (StoredEvent e : list) {
            state = portfolio.evolve(state, portfolio.events().decode(e.type(), e.payload()));
            history.add(Tuple.of(id, e.version(), e.timestamp().atOffset(ZoneOffset.UTC),
              e.type().substring(Portfolio.NAME.length() + 1), e.payload()));
          }
          if (state instanceof PortfolioState.Opened open) {
            owners.put(id, open.ownerId());
            StoredEvent last = list.get(list.size() - 1);
            views.add(Tuple.from(new Object[] {id, open.ownerId(), open.name(), open.closed(), open.cash(),
              open.reservedCash(), portfolio.states().typeName(open), portfolio.states().encode(open), last.version(),
              openedAt, last.timestamp().atOffset(ZoneOffset.UTC)}));
          }
        });
        Future<?> upsert = views.isEmpty() ? Future.succeededFuture() : c.preparedQuery("""
            insert into portfolios (portfolio_id, owner_id, name, closed, cash, reserved_cash, state_type, state,
                                    version, opened_at, updated_at)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            on conflict (portfolio_id) do update set name = excluded.name, closed = excluded.closed,
              cash = excluded.cash, reserved_cash = excluded.reserved_cash, state_type = excluded.state_type,
              state = excluded.state, version = excluded.version, updated_at = excluded.updated_at""")
          .executeBatch(views);
        return upsert.compose(r -> c.preparedQuery("insert into portfolio_history (portfolio_id, version, at, kind, detail) "
            + "values ($1, $2, $3, $4, $5)").executeBatch(history));
      })
      .mapEmpty();
  }

  @Override
  public void committed(List<StoredEvent> events) {
    events.stream().map(e -> e.streamId().substring(PREFIX.length())).distinct().forEach(id -> {
      String owner = owners.get(id);
      if (owner != null) {
        vertx.eventBus().publish("user." + owner + ".portfolios", new JsonObject().put("portfolioId", id)
          .put("event", "changed"));
      }
    });
  }
}
