package trader.tools;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import trader.eventsourcing.entity.Entities;
import trader.eventsourcing.entity.RecordCodec;
import trader.eventsourcing.journal.EventMetadata;
import trader.eventsourcing.journal.Journal;
import trader.eventsourcing.journal.NewEvent;
import trader.eventsourcing.journal.Snapshot;
import trader.eventsourcing.journal.StoredEvent;
import trader.portfolio.Order;
import trader.portfolio.OrderOutcome;
import trader.portfolio.OrderType;
import trader.portfolio.Portfolio;
import trader.portfolio.PortfolioEvent;
import trader.portfolio.PortfolioState;
import trader.portfolio.Side;
import trader.portfolio.TimeInForce;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Gives an open portfolio a long past, written straight into the journal as its entity would have written it: ended
 * orders, each placed (reserving one share's worth of cash) and cancelled, then a snapshot of the state after them,
 * as the runtime takes one every 100 events. For the tests and benchmarks of a portfolio's whole lifetime, which must
 * not drive a hundred thousand orders through the API.
 */
public final class LongHistory {

  private static final int ORDERS_PER_APPEND = 500;

  private LongHistory() {
  }

  /** Appends {@code orders} ended orders to portfolio {@code portfolioId}; answers the stream's version after them. */
  public static Future<Long> write(Journal journal, String portfolioId, int orders) {
    String stream = Entities.streamId(Portfolio.NAME, portfolioId);
    return journal.read(stream, 1).compose(events -> {
      if (events.isEmpty()) {
        return Future.failedFuture(new IllegalArgumentException("Portfolio " + portfolioId + " has no events"));
      }
      return appendFrom(journal, stream, events.getLast().version(), orders)
        .compose(version -> snapshot(journal, stream, events, version).map(version));
    });
  }

  private static Future<Long> appendFrom(Journal journal, String stream, long version, int left) {
    if (left == 0) {
      return Future.succeededFuture(version);
    }
    RecordCodec<PortfolioEvent> codec = new Portfolio().events();
    int now = Math.min(ORDERS_PER_APPEND, left);
    List<NewEvent> batch = new ArrayList<>(2 * now);
    for (int i = 0; i < now; i++) {
      String orderId = UUID.randomUUID().toString();
      for (PortfolioEvent e : List.of(
        new PortfolioEvent.OrderPlaced(new Order(orderId, "ACME", Side.BUY, 1, OrderType.LIMIT,
          new BigDecimal("1.00"), null, TimeInForce.GTC, new BigDecimal("1.00"), 0)),
        new PortfolioEvent.OrderEnded(orderId, OrderOutcome.CANCELLED, "cancelled by the trader"))) {
        batch.add(new NewEvent(UUID.randomUUID(), codec.typeName(e), codec.schemaVersion(e), codec.encode(e),
          EventMetadata.NONE, Set.of(Portfolio.NAME)));
      }
    }
    return journal.append(stream, version, batch)
      .compose(appended -> appendFrom(journal, stream, appended.version(), left - now));
  }

  /** Each ended order leaves the state as it was: the state before them is the state after. */
  private static Future<Void> snapshot(Journal journal, String stream, List<StoredEvent> before, long version) {
    Portfolio type = new Portfolio();
    PortfolioState state = type.initialState();
    for (StoredEvent e : before) {
      state = type.evolve(state, type.events().decode(e.type(), e.schemaVersion(), e.payload()));
    }
    RecordCodec<PortfolioState> states = type.states();
    return journal.saveSnapshot(new Snapshot(stream, version, states.schemaVersion(state),
      new JsonObject().put("type", states.typeName(state)).put("state", states.encode(state))));
  }
}
