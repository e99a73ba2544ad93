package trader.eventsourcing.journal;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import trader.testing.TestInfra;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code trader bench journal}, run small: it creates its scratch database, reports every rung, drops it. */
class JournalBenchTest {

  @Test
  void reportsEveryRungAgainstRawSql(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("bench.json");
    Files.writeString(config, new JsonObject().put("pg.url", TestInfra.adminPgUrl()).encode());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    int exit;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      exit = new CommandLine(new JournalBench()).execute("--config", config.toString(), "--json", "--scale", "0.02",
        "--rounds", "1");
    } finally {
      System.setOut(stdout);
    }

    assertThat(exit).isZero();
    String output = out.toString(StandardCharsets.UTF_8).trim();
    JsonObject report = new JsonObject(output.substring(output.lastIndexOf("\n") + 1));
    JsonArray rungs = report.getJsonArray("rungs");
    assertThat(rungs).hasSize(3);
    for (Object o : rungs) {
      JsonObject rung = (JsonObject) o;
      assertThat(rung.getJsonObject("journal").getLong("eventsPerSecond")).isPositive();
      assertThat(rung.getJsonObject("raw").getLong("eventsPerSecond")).isPositive();
      assertThat(rung.getDouble("ratio")).isPositive();
    }
  }
}
