package trader.eventsourcing.entity;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;
import trader.eventsourcing.journal.Journal;
import trader.eventsourcing.journal.Upcasters;
import trader.testing.TestDatabase;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The benchmark runs end to end with small numbers. Over the test stand-in journal its figures mean nothing; it is
 * here so that the command keeps working until it is wired to PgJournal.
 */
class EntityBenchTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase();

  @Test
  void measuresAndPrintsOneJsonObject() {
    EntityBench bench = new EntityBench((vertx, pool) -> Journal.create(vertx, pool, Upcasters.none()));
    StringWriter out = new StringWriter();
    System.setProperty("trader.pg.url", db.url());
    int exit;
    try {
      exit = new CommandLine(bench).setOut(new PrintWriter(out)).execute("--json",
      "--entities", "200", "--commands", "2000", "--in-flight", "64", "--heap-entities", "500", "--touch", "3000",
      "--max-active", "100");
    } finally {
      System.clearProperty("trader.pg.url");
    }
    assertThat(exit).isZero();
    JsonObject result = new JsonObject(out.toString().trim());
    assertThat(result.getJsonObject("commands").getLong("eventsPerSecond")).isPositive();
    assertThat(result.getJsonObject("commands").getDouble("p99Ms"))
      .isGreaterThanOrEqualTo(result.getJsonObject("commands").getDouble("p50Ms"));
    assertThat(result.getJsonObject("heap").getInteger("entities")).isEqualTo(500);
    assertThat(result.getJsonObject("churn").getInteger("maxActiveSeen")).isEqualTo(100);
  }
}
