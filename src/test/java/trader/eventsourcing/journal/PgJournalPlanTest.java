package trader.eventsourcing.journal;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.testing.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tail's queries, prepared as the journal prepares them, walk the (transaction_id, position) index and sort
 * nothing. (They once ordered by the text output column of the same name: a full scan and sort per page, and a
 * wrong order once transaction ids gain a digit.)
 */
class PgJournalPlanTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase();

  @Test
  void tailQueriesUseTheIndexInTransactionIdOrder() {
    Vertx vertx = Vertx.vertx();
    try {
      Pool pool = db.database().pool(vertx);
      pool.query("insert into journal (stream_id, version, event_id, event_type, schema_version, payload) "
        + "select 's-' || (i % 100), i / 100 + 1, gen_random_uuid(), 't', 1, '{}' from generate_series(0, 49999) i")
        .execute().await();
      pool.query("analyze journal").execute().await();
      String readAll = plan(pool, "explain " + PgJournal.READ_ALL, Tuple.of("0", 1000L, 500));
      assertThat(readAll).contains("Index Scan using journal_tail").doesNotContain("Sort").doesNotContain("Seq Scan");
      String head = plan(pool, "explain " + PgJournal.HEAD, Tuple.tuple());
      assertThat(head).contains("journal_tail").doesNotContain("Sort").doesNotContain("Seq Scan");
    } finally {
      vertx.close().await();
    }
  }

  private static String plan(Pool pool, String sql, Tuple args) {
    StringBuilder plan = new StringBuilder();
    for (Row r : pool.preparedQuery(sql).execute(args).await()) {
      plan.append(r.getString(0)).append('\n');
    }
    return plan.toString();
  }
}
