package trader.portfolio;

import io.vertx.core.json.JsonObject;
import trader.eventsourcing.entity.Decision;
import trader.eventsourcing.journal.EventMetadata;
import trader.eventsourcing.journal.NewEvent;
import trader.portfolio.PortfolioState.Opened;
import trader.testing.ProjectionRig;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A portfolio's history made by the domain's own decisions and written to the journal as the entity would (its
 * events at their current schema versions), with the fold of it, for read-side tests.
 */
final class PortfolioHistory {

  private final Portfolio portfolio = new Portfolio();
  private final ProjectionRig rig;
  final String id = "p-" + UUID.randomUUID();
  final List<PortfolioEvent> events = new ArrayList<>();
  PortfolioState state = portfolio.initialState();
  private final List<NewEvent> pending = new ArrayList<>();

  PortfolioHistory(ProjectionRig rig) {
    this.rig = rig;
  }

  /** Decides {@code command} on the state so far; its events (if accepted) wait for the next {@link #append}. */
  boolean run(PortfolioCommand command) {
    if (!(portfolio.decide(state, command) instanceof Decision.Accept<PortfolioEvent> accepted)) {
      return false;
    }
    for (PortfolioEvent e : accepted.events()) {
      keep(e, new NewEvent(UUID.randomUUID(), portfolio.events().typeName(e), portfolio.events().schemaVersion(e),
        portfolio.events().encode(e), EventMetadata.NONE, Set.of()));
    }
    return !accepted.events().isEmpty();
  }

  /** A deposit decided before step ids existed: stored at schema version 1, read back as legacy. */
  void legacyDeposit(String transferId, String amount) {
    keep(new PortfolioEvent.CashDeposited(transferId, new BigDecimal(amount), true), new NewEvent(UUID.randomUUID(),
      "portfolio.cash-deposited", 1, new JsonObject().put("transferId", transferId).put("amount", amount),
      EventMetadata.NONE, Set.of()));
  }

  private void keep(PortfolioEvent event, NewEvent stored) {
    state = portfolio.evolve(state, event);
    events.add(event);
    pending.add(stored);
  }

  /** Appends what was decided since the last append, as one append (one batch of the journal). */
  void append() {
    if (!pending.isEmpty()) {
      rig.journal().append(Portfolio.NAME + "|" + id, events.size() - pending.size(), List.copyOf(pending)).await();
      pending.clear();
    }
  }

  /** Waits until the rows read as the fold of every event written, at the last event's version. */
  void awaitViewIsTheFold() throws InterruptedException {
    Opened fold = (Opened) state;
    Opened expected = new Opened(fold.portfolioId(), fold.ownerId(), fold.name(), fold.closed(), fold.cash(),
      fold.reservedCash(), fold.holdings(), fold.openOrders(), null);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      PortfolioViews.View view;
      try {
        view = PortfolioViews.read(rig.pool(), id, 10).await();
      } catch (io.vertx.pgclient.PgException notCreatedYet) {
        view = null;
      }
      if (view != null && view.version() == events.size() && view.state().equals(expected)) {
        assertThat(view.history()).hasSize(Math.min(10, events.size()));
        assertThat(view.history().getJsonObject(0).getLong("version")).isEqualTo(events.size());
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the view of " + id + " is " + (view == null ? "missing" : view.state() + " at "
          + view.version()) + ", the fold of " + events.size() + " events " + expected);
      }
      Thread.sleep(50);
    }
  }
}
