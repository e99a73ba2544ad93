package trader.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The benchmark runs end to end with small numbers and prints one JSON object (its figures mean little here). With
 * {@code -Dorderbook.bench=full} it runs at full size and prints the table too.
 */
class OrderBookBenchTest {

  @Test
  void measuresAndPrintsOneJsonObject() throws Exception {
    boolean full = "full".equals(System.getProperty("orderbook.bench"));
    String[] args = full ? new String[] {"--json"}
      : new String[] {"--json", "--orders", "5000", "--symbols", "10", "--ticks", "300", "--warmup", "100"};
    StringWriter out = new StringWriter();
    int exit = new CommandLine(new OrderBookBench()).setOut(new PrintWriter(out)).execute(args);
    assertThat(exit).isZero();
    JsonNode result = JsonMapper.builder().build().readTree(out.toString().trim());
    assertThat(result.get("restingOrders").asInt()).isEqualTo(full ? 100_000 : 5000);
    assertThat(result.get("restingAtEnd").asInt()).isEqualTo(result.get("restingOrders").asInt());
    assertThat(result.get("ticksPerSecond").asLong()).isPositive();
    assertThat(result.get("p99MicrosPerTick").asDouble())
      .isGreaterThanOrEqualTo(result.get("p50MicrosPerTick").asDouble());
    assertThat(result.get("fillsPerTick").asDouble()).isPositive();
    if (full) {
      System.out.println(out);
      StringWriter table = new StringWriter();
      new CommandLine(new OrderBookBench()).setOut(new PrintWriter(table)).execute();
      System.out.println(table);
    }
  }
}
