package trader.eventsourcing.journal;

import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Turns stored payloads of old schema versions into the current one, step by step (v1 → v2 → ... → current),
 * as the journal reads them. Stored rows are never rewritten.
 */
public final class Upcasters {

  private final Map<String, Integer> current = new HashMap<>();
  private final Map<String, UnaryOperator<JsonObject>> steps = new HashMap<>();

  public static Upcasters none() {
    return new Upcasters();
  }

  /** Registers the step from {@code fromVersion} to {@code fromVersion + 1} of {@code type}. */
  public synchronized Upcasters register(String type, int fromVersion, UnaryOperator<JsonObject> step) {
    steps.put(type + "@" + fromVersion, step);
    current.merge(type, fromVersion + 1, Math::max);
    return this;
  }

  /** The current schema version of {@code type} (1 if it never changed). */
  public synchronized int currentVersion(String type) {
    return current.getOrDefault(type, 1);
  }

  /** The payload at the current version, and that version. */
  public synchronized Upcast upcast(String type, int schemaVersion, JsonObject payload) {
    int target = currentVersion(type);
    JsonObject p = payload;
    for (int v = schemaVersion; v < target; v++) {
      UnaryOperator<JsonObject> step = steps.get(type + "@" + v);
      if (step == null) {
        throw new IllegalStateException("No upcaster for event type '" + type + "' from schema version " + v);
      }
      p = step.apply(p.copy());
    }
    return new Upcast(Math.max(schemaVersion, target), p);
  }

  public record Upcast(int schemaVersion, JsonObject payload) {
  }
}
