package trader.chaos;

import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the clients saw during one phase of the fault suite: requests sent, answered 2xx, refused with a problem
 * document (4xx: the business said no; 5xx: the cluster could not serve), refused without a clear problem, not
 * answered at all; and how long the cluster took to serve again after the fault (the last 5xx or unanswered request,
 * counted from the phase's start, and the longest stretch without any successful command).
 */
final class ChaosPhase {

  private final String name;
  private final long start = System.nanoTime();
  private volatile long end;
  final AtomicLong sent = new AtomicLong();
  final AtomicLong ok = new AtomicLong();
  final AtomicLong refused = new AtomicLong();
  final AtomicLong failed = new AtomicLong();
  final AtomicLong unclear = new AtomicLong();
  final AtomicLong unreachable = new AtomicLong();
  final AtomicLong unexpected = new AtomicLong();
  private final AtomicLong lastFailureMs = new AtomicLong(-1);
  private final AtomicLong lastCommandOkMs = new AtomicLong(0);
  private final AtomicLong longestCommandGapMs = new AtomicLong();
  private final Map<String, AtomicLong> failures = new ConcurrentHashMap<>();

  ChaosPhase(String name) {
    this.name = name;
  }

  String name() {
    return name;
  }

  long elapsedMs() {
    return ((end == 0 ? System.nanoTime() : end) - start) / 1_000_000;
  }

  /** The phase is over: later answers belong to the next one. */
  void end() {
    end = System.nanoTime();
  }

  void answered(int status, JsonObject body, boolean command) {
    sent.incrementAndGet();
    long at = sinceStart(System.nanoTime());
    if (status / 100 == 2) {
      ok.incrementAndGet();
      if (command) {
        long previous = lastCommandOkMs.getAndSet(at);
        longestCommandGapMs.accumulateAndGet(at - previous, Math::max);
      }
      return;
    }
    String detail = body.getString("detail");
    if (detail == null || detail.isBlank()) {
      unclear.incrementAndGet();
    }
    if (status >= 500) {
      failed.incrementAndGet();
      lastFailureMs.accumulateAndGet(at, Math::max);
      failures.computeIfAbsent(status + " " + (detail == null ? body.encode() : shorten(detail)),
        k -> new AtomicLong()).incrementAndGet();
    } else {
      refused.incrementAndGet();
    }
  }

  void unreachable() {
    sent.incrementAndGet();
    unreachable.incrementAndGet();
    lastFailureMs.accumulateAndGet(sinceStart(System.nanoTime()), Math::max);
  }

  void unexpected(RuntimeException e) {
    unexpected.incrementAndGet();
    failures.computeIfAbsent("client: " + e, k -> new AtomicLong()).incrementAndGet();
  }

  /** Milliseconds from the phase's start to its last 5xx or unanswered request; 0 when there was none. */
  long servedAgainAfterMs() {
    return Math.max(0, lastFailureMs.get());
  }

  long longestCommandGapMs() {
    return Math.max(longestCommandGapMs.get(), elapsedMs() - lastCommandOkMs.get());
  }

  Map<String, AtomicLong> failures() {
    return failures;
  }

  private long sinceStart(long nanos) {
    return (nanos - start) / 1_000_000;
  }

  private static String shorten(String detail) {
    String oneLine = detail.replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "<id>");
    return oneLine.length() > 90 ? oneLine.substring(0, 90) + "…" : oneLine;
  }
}
