package trader.eventsourcing.entity;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.VertxModule;

import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.UnaryOperator;

/**
 * Maps the records of one sealed interface to JSON objects under explicit, stable type names, never class names:
 * renaming or moving a record class does not change what is stored. Each name has a schema version (1 unless
 * registered otherwise); JSON stored at an older version is brought up to date by the upcasts registered with it
 * ({@link Builder#upcast}) when it is decoded with its version ({@link #decode(String, int, JsonObject)}).
 *
 * <p>JSON is written by Jackson from the records' components. {@link BigDecimal} is written as a JSON string
 * ({@code "10.50"}), so that money keeps its exact value and scale through every JSON parser it meets.
 *
 * <pre>{@code
 * RecordCodec<AccountEvent> events = RecordCodec.of(AccountEvent.class)
 *     .add("account.opened", Opened.class)
 *     .add("account.deposited", 2, Deposited.class)
 *     .build();
 * }</pre>
 *
 * @param <T> the sealed interface (or any base type) the records implement
 */
public final class RecordCodec<T> {

  private static final ObjectMapper JSON = JsonMapper.builder()
    .addModule(new VertxModule())
    .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES) // a newer node may have added a field
    .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS) // records without components, e.g. a query command
    .withConfigOverride(BigDecimal.class, o -> o.setFormat(JsonFormat.Value.forShape(JsonFormat.Shape.STRING)))
    .build();

  private record Entry(String name, int schemaVersion, Class<?> type) {
  }

  /** The step from schema version {@code from} to {@code from + 1} of one name's JSON. */
  private record Upcast(String name, int from) {
  }

  /**
   * Slots of the decoded-record memo (a power of two): a node's read sides read a page within milliseconds of each
   * other (a batch interval at most), and at a few hundred events a second this many slots hold them for a few
   * hundred milliseconds, not long enough for a young collection to copy them.
   */
  private static final int DECODED_SLOTS = 256;

  /** A JSON object (by identity) and the record decoded from it. */
  private record Decoded(JsonObject json, String typeName, int schemaVersion, Object value) {
  }

  private final Class<T> base;
  private final Map<String, Entry> byName;
  private final Map<Class<?>, Entry> byClass;
  private final Map<Upcast, UnaryOperator<JsonObject>> upcasts;
  /**
   * The records last decoded, by the identity of their JSON, if this codec {@linkplain Builder#sharingDecodings
   * shares decodings} (else null): a node's read sides share the journal pages they read (the same event objects),
   * and each decoded every event again, three or four times over. A slot holds the last decoding that hashed to it;
   * records are immutable values, so one decoding serves every reader.
   */
  private final AtomicReferenceArray<Decoded> decoded;

  private RecordCodec(Class<T> base, Map<String, Entry> byName, Map<Class<?>, Entry> byClass,
                      Map<Upcast, UnaryOperator<JsonObject>> upcasts, boolean shared) {
    this.base = base;
    this.byName = Map.copyOf(byName);
    this.byClass = Map.copyOf(byClass);
    this.upcasts = Map.copyOf(upcasts);
    this.decoded = shared ? new AtomicReferenceArray<>(DECODED_SLOTS) : null;
  }

  /** Starts a codec for the records implementing {@code base}. */
  public static <T> Builder<T> of(Class<T> base) {
    return new Builder<>(base);
  }

  /** The stable name {@code value}'s record is stored under. */
  public String typeName(T value) {
    return entry(value).name();
  }

  /** The current schema version of {@code value}'s record. */
  public int schemaVersion(T value) {
    return entry(value).schemaVersion();
  }

  /** The current schema version of the record named {@code typeName}, or 0 if no record has that name. */
  public int schemaVersion(String typeName) {
    Entry e = byName.get(typeName);
    return e == null ? 0 : e.schemaVersion();
  }

  /** {@code value}'s components as a JSON object (without its type name). */
  public JsonObject encode(T value) {
    entry(value);
    @SuppressWarnings("unchecked")
    Map<String, Object> map = JSON.convertValue(value, Map.class);
    return new JsonObject(map);
  }

  /**
   * What {@link #encode} gives, as JSON text, written straight from the record: about half the cost for a large one,
   * since no object tree is built and then written again (e.g. for a jsonb column, as {@code $1::text::jsonb}).
   */
  public String encodeText(T value) {
    entry(value);
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("Cannot write " + value.getClass().getSimpleName() + " as JSON", e);
    }
  }

  /**
   * The record named {@code typeName} from its JSON; fails with {@link IllegalArgumentException} if unknown. If this
   * codec shares decodings, decoding the same JSON object again (not an equal one) soon after gives the same record:
   * the JSON must not change once decoded, as a stored event's does not.
   */
  public T decode(String typeName, JsonObject json) {
    return decode(typeName, 0, json);
  }

  /**
   * The record named {@code typeName} from its JSON stored at {@code schemaVersion}: JSON of an older version goes
   * through the name's upcasts first (0, or a version from a newer node, decodes the JSON as it is). As
   * {@link #decode(String, JsonObject)} otherwise.
   */
  public T decode(String typeName, int schemaVersion, JsonObject json) {
    int slot = decoded == null ? 0 : System.identityHashCode(json) & (DECODED_SLOTS - 1);
    Decoded last = decoded == null ? null : decoded.get(slot);
    if (last != null && last.json() == json && last.typeName().equals(typeName)
      && last.schemaVersion() == schemaVersion) {
      return base.cast(last.value());
    }
    Entry e = byName.get(typeName);
    if (e == null) {
      throw new IllegalArgumentException("No " + base.getSimpleName() + " record is named '" + typeName
        + "'; known: " + new TreeSet<>(byName.keySet()));
    }
    JsonObject current = json;
    for (int v = schemaVersion; v > 0 && v < e.schemaVersion(); v++) {
      UnaryOperator<JsonObject> step = upcasts.get(new Upcast(typeName, v));
      if (step == null) {
        throw new IllegalArgumentException("No upcast of '" + typeName + "' from schema version " + v);
      }
      current = step.apply(current.copy());
    }
    T value = base.cast(JSON.convertValue(current.getMap(), e.type()));
    if (decoded != null) {
      decoded.set(slot, new Decoded(json, typeName, schemaVersion, value));
    }
    return value;
  }

  private Entry entry(T value) {
    Entry e = byClass.get(value.getClass());
    if (e == null) {
      throw new IllegalArgumentException(value.getClass().getName() + " has no stable name in the "
        + base.getSimpleName() + " codec");
    }
    return e;
  }

  /** Collects name ↔ record registrations; {@link #build()} checks that every record of a sealed base has one. */
  public static final class Builder<T> {
    private final Class<T> base;
    private final Map<String, Entry> byName = new HashMap<>();
    private final Map<Class<?>, Entry> byClass = new HashMap<>();
    private final Map<Upcast, UnaryOperator<JsonObject>> upcasts = new HashMap<>();
    private boolean shared;

    private Builder(Class<T> base) {
      this.base = base;
    }

    /**
     * Decoding the same JSON object again soon after gives the record already decoded: for events, which a node's
     * read sides decode from the same journal pages. Not for states or commands, whose JSON is new each time.
     */
    public Builder<T> sharingDecodings() {
      shared = true;
      return this;
    }

    /** Registers {@code type} under {@code name}, schema version 1. */
    public Builder<T> add(String name, Class<? extends T> type) {
      return add(name, 1, type);
    }

    /** Registers {@code type} under {@code name} at its current {@code schemaVersion} (1 or more). */
    public Builder<T> add(String name, int schemaVersion, Class<? extends T> type) {
      if (name == null || name.isBlank() || schemaVersion < 1) {
        throw new IllegalArgumentException("A record needs a non-blank name and schema version >= 1");
      }
      Entry entry = new Entry(name, schemaVersion, type);
      if (byName.putIfAbsent(name, entry) != null) {
        throw new IllegalArgumentException("Name '" + name + "' is registered twice in the " + base.getSimpleName()
          + " codec");
      }
      if (byClass.putIfAbsent(type, entry) != null) {
        throw new IllegalArgumentException(type.getName() + " is registered twice in the " + base.getSimpleName()
          + " codec");
      }
      return this;
    }

    /**
     * Registers how JSON of {@code name} stored at schema version {@code from} becomes version {@code from + 1}
     * (stored rows are never rewritten: old JSON is brought up to date as it is read). JSON of a version without a
     * step up does not decode.
     */
    public Builder<T> upcast(String name, int from, UnaryOperator<JsonObject> step) {
      if (from < 1 || upcasts.putIfAbsent(new Upcast(name, from), step) != null) {
        throw new IllegalArgumentException("Upcast of '" + name + "' from version " + from + " is not >= 1 or is "
          + "registered twice");
      }
      return this;
    }

    /** The codec; fails if a concrete record of the sealed base has no name (it could not be stored). */
    public RecordCodec<T> build() {
      Set<Class<?>> missing = new LinkedHashSet<>();
      concreteSubtypes(base, missing);
      missing.removeAll(byClass.keySet());
      if (!missing.isEmpty()) {
        throw new IllegalArgumentException("The " + base.getSimpleName() + " codec has no name for "
          + missing.stream().map(Class::getSimpleName).toList());
      }
      for (Upcast upcast : upcasts.keySet()) {
        Entry entry = byName.get(upcast.name());
        if (entry == null || upcast.from() >= entry.schemaVersion()) {
          throw new IllegalArgumentException("Upcast of '" + upcast.name() + "' from version " + upcast.from()
            + " leads past the record's current version");
        }
      }
      return new RecordCodec<>(base, byName, byClass, upcasts, shared);
    }

    private static void concreteSubtypes(Class<?> type, Set<Class<?>> out) {
      if (type.isSealed()) {
        for (Class<?> permitted : type.getPermittedSubclasses()) {
          concreteSubtypes(permitted, out);
        }
      } else if (!type.isInterface() && !Modifier.isAbstract(type.getModifiers())) {
        out.add(type);
      }
    }
  }
}
