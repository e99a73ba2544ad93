package trader.chaos;

import java.util.List;
import java.util.Map;

/** The fault suite's report: one line per phase with what the clients saw, then the events and the checks' figures. */
final class ChaosReport {

  private ChaosReport() {
  }

  static String render(List<ChaosPhase> phases, List<String> events, ChaosChecks checks) {
    StringBuilder out = new StringBuilder("\n=== Fault suite report ===\n");
    out.append(String.format("%-52s %7s %6s %6s %6s %6s %6s %9s %9s%n", "phase", "ms", "sent", "2xx", "4xx", "5xx",
      "no-ans", "served-ms", "gap-ms"));
    long[] totals = new long[5];
    for (ChaosPhase p : phases) {
      out.append(String.format("%-52s %7d %6d %6d %6d %6d %6d %9d %9d%n", p.name(), p.elapsedMs(), p.sent.get(),
        p.ok.get(), p.refused.get(), p.failed.get(), p.unreachable.get(), p.servedAgainAfterMs(),
        p.longestCommandGapMs()));
      totals[0] += p.sent.get();
      totals[1] += p.ok.get();
      totals[2] += p.refused.get();
      totals[3] += p.failed.get();
      totals[4] += p.unreachable.get();
    }
    out.append(String.format("%-52s %7s %6d %6d %6d %6d %6d%n", "total", "", totals[0], totals[1], totals[2],
      totals[3], totals[4]));
    out.append("""
      (4xx: refused by the business rules, with a problem detail; 5xx: the cluster could not serve, with a problem
       detail; no-ans: connection refused, cut or timed out, resent to another node with the same Idempotency-Key;
       served-ms: from the phase's start to its last 5xx or unanswered request; gap-ms: longest stretch without an
       accepted command)
      """);
    for (ChaosPhase p : phases) {
      p.failures().forEach((what, n) -> out.append("  ").append(p.name()).append(": ").append(n.get()).append(" × ")
        .append(what).append('\n'));
    }
    out.append("\nEvents:\n");
    events.forEach(e -> out.append("  ").append(e).append('\n'));
    out.append("\nChecks (journal and read sides):\n");
    for (Map.Entry<String, Object> f : checks.figures().entrySet()) {
      out.append("  ").append(f.getKey()).append(": ").append(f.getValue()).append('\n');
    }
    out.append(checks.violations().isEmpty() ? "  no lost, doubled or inconsistent effects\n"
      : "  VIOLATIONS:\n    " + String.join("\n    ", checks.violations()) + "\n");
    return out.toString();
  }
}
