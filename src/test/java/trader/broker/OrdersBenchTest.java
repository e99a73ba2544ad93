package trader.broker;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import trader.testing.TestInfra;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code bench orders} runs end to end with tiny numbers and prints one JSON object (its figures mean little here). */
class OrdersBenchTest {

  @Test
  void placesFillsAndReports() {
    System.setProperty("trader.pg.url", TestInfra.adminPgUrl());
    System.setProperty("trader.kafka.bootstrap-servers", TestInfra.kafkaBootstrap());
    try {
      StringWriter out = new StringWriter();
      int exit = new CommandLine(new OrdersBench()).setOut(new PrintWriter(out))
        .execute("--json", "--rate", "20", "--seconds", "2", "--users", "2", "--warmup-seconds", "1",
          // a compiler never "settled" (0%) extends the warm-up, here by 1 s up to its maximum
          "--warmup-max-seconds", "2", "--jit-settled-percent", "0");
      assertThat(exit).isZero();
      String[] lines = out.toString().trim().split("\n");
      JsonObject result = new JsonObject(lines[lines.length - 1]);
      assertThat(result.getInteger("orders")).isEqualTo(40);
      assertThat(result.getInteger("filled")).isEqualTo(40);
      assertThat(result.getInteger("failed")).isZero();
      // each order's end came as a push over the bridge, then one GET at its position confirmed it
      assertThat(result.getString("follow")).isEqualTo("push");
      assertThat(result.getLong("pushed")).isEqualTo(40);
      assertThat(result.getInteger("warmupSeconds")).isEqualTo(2); // its 40 orders settled before, not counted
      assertThat(result.getDouble("warmupJitPercent")).isGreaterThanOrEqualTo(0);
      JsonObject latency = result.getJsonArray("rows").getJsonObject(2);
      assertThat(latency.getDouble("p99")).isGreaterThanOrEqualTo(latency.getDouble("p50"));
      // the round trip split into its seven stages, each measured for every filled order
      assertThat(result.getJsonArray("rows").stream().map(r -> ((JsonObject) r).getString("name"))
        .filter(n -> n != null && n.matches("[1-5][ab]? .*")).count()).isEqualTo(7);
    } finally {
      System.clearProperty("trader.pg.url");
      System.clearProperty("trader.kafka.bootstrap-servers");
    }
  }
}
