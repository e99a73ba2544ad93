package trader.platform;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The result of a {@code bench} command: rates with their ratio to the baseline, and latency percentiles. */
public final class BenchReport {

  private final JsonObject report;
  private final JsonArray rows = new JsonArray();

  public BenchReport(String bench, String postgresVersion) {
    this.report = new JsonObject().put("bench", bench).put("postgres", postgresVersion)
      .put("cpus", Runtime.getRuntime().availableProcessors()).put("java", System.getProperty("java.version"))
      .put("rows", rows);
  }

  /** The settings a bench runs with: the same sources as a node. */
  public static Settings settings(Path config) {
    return Main.loadSettings(config);
  }

  /** A measured rate; {@code ratio} to its baseline, or null for the baseline itself. */
  public BenchReport row(String name, String unit, double value, Double ratio) {
    rows.add(new JsonObject().put("name", name).put("unit", unit).put("value", Math.abs(value) < 100 ? Math.round(value * 10) / 10.0 : (double) Math.round(value))
      .put("ratio", ratio == null ? null : Math.round(ratio * 100) / 100.0));
    return this;
  }

  /** Latency percentiles of {@code micros} (microseconds). */
  public BenchReport latency(String name, List<Long> micros) {
    List<Long> sorted = new ArrayList<>(micros);
    sorted.sort(null);
    rows.add(new JsonObject().put("name", name).put("unit", "ms").put("samples", sorted.size())
      .put("p50", percentile(sorted, 0.50)).put("p99", percentile(sorted, 0.99))
      .put("max", sorted.isEmpty() ? null : sorted.get(sorted.size() - 1) / 1000.0));
    return this;
  }

  private static Double percentile(List<Long> sorted, double p) {
    if (sorted.isEmpty()) {
      return null;
    }
    return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1)) / 1000.0;
  }

  public JsonObject json() {
    return report.copy();
  }

  public void print(boolean json, PrintStream out) {
    if (json) {
      out.println(report.encode());
      return;
    }
    out.printf(Locale.ROOT, "%n%s benchmark (PostgreSQL %s, %d CPUs, Java %s)%n", report.getString("bench"),
      report.getString("postgres"), report.getInteger("cpus"), report.getString("java"));
    for (Object o : rows) {
      JsonObject r = (JsonObject) o;
      if (r.containsKey("p50")) {
        out.printf(Locale.ROOT, "  %-48s p50 %8.2f ms   p99 %8.2f ms   (%d samples)%n", r.getString("name"),
          r.getDouble("p50"), r.getDouble("p99"), r.getInteger("samples"));
      } else {
        double value = r.getDouble("value");
        // small figures (per-order costs) with a decimal: rounded to whole units they hide a 15% change
        String shown = Math.abs(value) < 100 ? String.format(Locale.ROOT, "%12.1f", value)
          : String.format(Locale.ROOT, "%,12d", Math.round(value));
        out.printf(Locale.ROOT, "  %-48s %s %-9s %s%n", r.getString("name"), shown,
          r.getString("unit"), r.getValue("ratio") == null ? "(baseline)" : "ratio " + r.getDouble("ratio"));
      }
    }
  }
}
