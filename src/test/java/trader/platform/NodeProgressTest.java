package trader.platform;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.testing.ApiNode;
import trader.testing.TestDatabase;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node alone in its cluster wires its runners to its own read-your-writes tracker: while its read sides follow
 * the journal and a read waits for one of them, nothing goes out on the event bus's progress address.
 */
class NodeProgressTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase(false);

  @Test
  void runnersReportToTheirOwnNodeWithoutTheEventBus() throws Exception {
    try (ApiNode node = ApiNode.start(db, Map.of("node.name", "progress-node"))) {
      List<JsonObject> onTheBus = new CopyOnWriteArrayList<>();
      MessageConsumer<JsonObject> consumer = node.node().vertx().eventBus()
        .consumer("projection.progress", msg -> onTheBus.add(msg.body()));
      consumer.completion().await();

      ApiNode.User user = node.signup();
      HttpResponse<Buffer> opened = node.http().post("/api/portfolios").bearerTokenAuthentication(user.token())
        .sendJsonObject(new JsonObject().put("name", "Progress")).await();
      assertThat(opened.statusCode()).as(opened.bodyAsString()).isEqualTo(201);
      // a read of the portfolio view waits on the tracker until its read side has applied the opening
      String portfolio = opened.bodyAsJsonObject().getString("portfolioId");
      HttpResponse<Buffer> read = node.http().get("/api/portfolios/" + portfolio)
        .bearerTokenAuthentication(user.token()).send().await();
      assertThat(read.statusCode()).as(read.bodyAsString()).isEqualTo(200);

      // once every runner has recorded the journal's last event, it has reported each page up to it
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (behindTheJournal(node) > 0) {
        assertThat(System.nanoTime()).as("read sides caught up with the journal").isLessThan(deadline);
        Thread.sleep(50);
      }
      Thread.sleep(200); // a message published by then has been delivered
      assertThat(onTheBus).isEmpty();
      consumer.unregister().await();
    }
  }

  /** Shards of active projection versions whose stored offset is before the journal's latest event. */
  private static long behindTheJournal(ApiNode node) {
    Row row = node.node().pool().query("""
        select count(*) from projection_offsets o
          join projection_versions v on v.name = o.name and v.active_version = o.version
          cross join (select transaction_id, position from journal
                      order by transaction_id desc, position desc limit 1) last
         where (o.transaction_id, o.sequence) < (last.transaction_id::text::bigint, last.position)""")
      .execute().await().iterator().next();
    return row.getLong(0);
  }
}
