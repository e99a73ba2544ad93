package trader.accounts;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import trader.eventsourcing.journal.StoredEvent;
import trader.eventsourcing.projection.Projection;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The read side of savings accounts: one row per user with the balance; each change is pushed to the user's
 * browser on {@code user.<userId>.savings} once committed.
 */
final class SavingsBalances implements Projection {

  static final String NAME = "savings_balances";
  private static final String PREFIX = SavingsAccount.NAME + "|";
  private final Vertx vertx;

  SavingsBalances(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean handles(StoredEvent event) {
    return event.streamId().startsWith(PREFIX);
  }

  @Override
  public List<String> tables() {
    return List.of("savings_accounts");
  }

  @Override
  public Future<Void> createTables(SqlConnection c) {
    return c.query("create table savings_accounts (user_id text primary key, balance numeric(20, 2) not null, "
      + "updated_at timestamptz not null)").execute().mapEmpty();
  }

  @Override
  public Future<Void> apply(SqlConnection c, List<StoredEvent> events) {
    List<Tuple> changes = new ArrayList<>();
    for (StoredEvent e : events) {
      String userId = e.streamId().substring(PREFIX.length());
      BigDecimal delta = switch (e.type()) {
        case "savings-account.opened" -> new BigDecimal(e.payload().getString("openingBalance"));
        case "savings-account.withdrawn" -> new BigDecimal(e.payload().getString("amount")).negate();
        case "savings-account.deposited", "savings-account.refunded" -> new BigDecimal(e.payload().getString("amount"));
        default -> null; // declined steps change no balance
      };
      if (delta != null) {
        changes.add(Tuple.of(userId, delta, e.timestamp().atOffset(java.time.ZoneOffset.UTC)));
      }
    }
    return changes.isEmpty() ? Future.succeededFuture() : c.preparedQuery("insert into savings_accounts as s "
        + "(user_id, balance, updated_at) values ($1, $2, $3) "
        + "on conflict (user_id) do update set balance = s.balance + excluded.balance, updated_at = excluded.updated_at")
      .executeBatch(changes).mapEmpty();
  }

  @Override
  public void committed(List<StoredEvent> events) {
    Set<String> users = new LinkedHashSet<>();
    events.forEach(e -> users.add(e.streamId().substring(PREFIX.length())));
    users.forEach(u -> vertx.eventBus().publish("user." + u + ".savings", new JsonObject().put("userId", u)));
  }
}
