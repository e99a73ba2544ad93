package trader.eventsourcing.journal;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;

import java.util.List;
import java.util.UUID;

/**
 * The one SQL statement that writes a batch of appends (to distinct streams), and its parameters. Each shape
 * returns one row per stream it wrote: {@code (stream_id, rows written, last version, last position,
 * transaction id as text)}, and calls {@code pg_notify('journal', <its transaction id>)} once if it wrote anything (delivered on
 * commit). A stream whose version check fails is not written and returns no row.
 *
 * <p>Shapes, cheapest first, measured against a plain insert of the same rows (docs/BENCHMARKS.md): a single
 * event is a one-row insert; a single append unnests its events with ordinality (stream and versions are
 * scalars; its last position is {@code currval} of the position sequence, the value this session drew last,
 * so no row has to be returned); a batch of several appends unnests one row per event and groups what it
 * returns by stream.
 *
 * @param sql        the statement
 * @param parameters its parameters
 */
record AppendStatement(String sql, Tuple parameters) {

  private static final String COLUMNS = "stream_id, version, event_id, event_type, schema_version, payload,"
    + " metadata, tags";

  /** The payload is the writing transaction's id: a tailer that has not reached it yet knows to look again. */
  private static final String NOTIFY = "(select pg_notify('journal', pg_current_xact_id()::text))::text";

  /** The check: the stream is at the expected version (0: it has no event). */
  private static String streamIsAt(String stream, String expected) {
    return "coalesce((select max(j.version) from journal j where j.stream_id = " + stream + "), 0) = " + expected;
  }

  static final String ONE_EVENT = "insert into journal (" + COLUMNS + ") values ($1, $2, $3, $4, $5, $6, $7, $8)"
    + " returning stream_id, 1, version, position, transaction_id::text, pg_notify('journal', transaction_id::text)::text";

  static final String ONE_EVENT_CHECKED = "insert into journal (" + COLUMNS + ")"
    + " select $1::text, $2::bigint, $4::uuid, $5::text, $6::int, $7::jsonb, $8::jsonb, $9::text[]"
    + " where " + streamIsAt("$1::text", "$3::bigint")
    + " returning stream_id, 1, version, position, transaction_id::text, pg_notify('journal', transaction_id::text)::text";

  /** $1 stream, $2 expected version, $3 check it?, then one array per column. */
  static final String ONE_APPEND = "with appended as (insert into journal (" + COLUMNS + ")"
    + " select $1::text, $2::bigint + e.n, e.event_id, e.event_type, e.schema_version, e.payload::jsonb,"
    + " e.metadata::jsonb, e.tags::text[]"
    + " from unnest($4::uuid[], $5::text[], $6::int[], $7::text[], $8::text[], $9::text[]) with ordinality"
    + " as e(event_id, event_type, schema_version, payload, metadata, tags, n)"
    + " where not $3::boolean or " + streamIsAt("$1::text", "$2::bigint")
    + " returning 1)"
    + " select $1::text, count(*)::int, $2::bigint + count(*), currval('journal_position_seq'),"
    + " pg_current_xact_id()::text, " + NOTIFY + " from appended having count(*) > 0";

  /** One row per event, each with its append's expected version and whether to check it. */
  static final String BATCH = "with appended as (insert into journal (" + COLUMNS + ")"
    + " select e.stream_id, e.version, e.event_id, e.event_type, e.schema_version, e.payload::jsonb,"
    + " e.metadata::jsonb, e.tags::text[]"
    + " from unnest($1::text[], $2::bigint[], $3::bigint[], $4::boolean[], $5::uuid[], $6::text[], $7::int[],"
    + " $8::text[], $9::text[], $10::text[])"
    + " as e(stream_id, version, expected, checked, event_id, event_type, schema_version, payload, metadata, tags)"
    + " where not e.checked or " + streamIsAt("e.stream_id", "e.expected")
    + " returning stream_id, version, position)"
    + " select stream_id, count(*)::int, max(version), max(position), pg_current_xact_id()::text, " + NOTIFY
    + " from appended group by stream_id";

  /**
   * The statement for {@code batch}. Each append's version is checked if it asks for it
   * ({@link PendingAppend#checkVersion}) or if {@code checkAll}.
   */
  static AppendStatement of(List<PendingAppend> batch, boolean checkAll) {
    if (batch.size() > 1) {
      return batch(batch, checkAll);
    }
    PendingAppend append = batch.getFirst();
    boolean check = checkAll || append.checkVersion;
    return append.events.size() == 1 ? oneEvent(append, check) : oneAppend(append, check);
  }

  private static AppendStatement oneEvent(PendingAppend append, boolean check) {
    NewEvent event = append.events.getFirst();
    Tuple tuple = Tuple.of(append.streamId, append.expectedVersion + 1);
    if (check) {
      tuple.addLong(append.expectedVersion);
    }
    tuple.addUUID(event.eventId()).addString(event.type()).addInteger(event.schemaVersion())
      .addValue(event.payload()).addValue(metadata(event.metadata())).addValue(event.tags().toArray(String[]::new));
    return new AppendStatement(check ? ONE_EVENT_CHECKED : ONE_EVENT, tuple);
  }

  private static AppendStatement oneAppend(PendingAppend append, boolean check) {
    Columns c = new Columns(append.events.size());
    append.events.forEach(c::add);
    return new AppendStatement(ONE_APPEND, Tuple.of(append.streamId, append.expectedVersion, check, c.ids, c.types,
      c.schemaVersions).addValue(c.payloads).addValue(c.metadata).addValue(c.tags));
  }

  private static AppendStatement batch(List<PendingAppend> batch, boolean checkAll) {
    int n = batch.stream().mapToInt(a -> a.events.size()).sum();
    String[] streams = new String[n];
    Long[] versions = new Long[n];
    Long[] expected = new Long[n];
    Boolean[] checked = new Boolean[n];
    Columns c = new Columns(n);
    int i = 0;
    for (PendingAppend append : batch) {
      long version = append.expectedVersion;
      boolean check = checkAll || append.checkVersion;
      for (NewEvent event : append.events) {
        streams[i] = append.streamId;
        versions[i] = ++version;
        expected[i] = append.expectedVersion;
        checked[i] = check;
        c.add(event);
        i++;
      }
    }
    return new AppendStatement(BATCH, Tuple.of(streams, versions, expected, checked, c.ids, c.types)
      .addValue(c.schemaVersions).addValue(c.payloads).addValue(c.metadata).addValue(c.tags));
  }

  /** The per-event columns as arrays, JSON and tags as text (unnest cannot take arrays of arrays). */
  private static final class Columns {
    final UUID[] ids;
    final String[] types;
    final Integer[] schemaVersions;
    final String[] payloads;
    final String[] metadata;
    final String[] tags;
    private int i;

    Columns(int n) {
      ids = new UUID[n];
      types = new String[n];
      schemaVersions = new Integer[n];
      payloads = new String[n];
      metadata = new String[n];
      tags = new String[n];
    }

    void add(NewEvent event) {
      ids[i] = event.eventId();
      types[i] = event.type();
      schemaVersions[i] = event.schemaVersion();
      payloads[i] = event.payload().encode();
      metadata[i] = event.metadata().equals(EventMetadata.NONE) ? "{}" : metadata(event.metadata()).encode();
      tags[i] = arrayLiteral(event.tags());
      i++;
    }
  }

  static JsonObject metadata(EventMetadata metadata) {
    JsonObject json = new JsonObject();
    if (metadata.correlationId() != null) {
      json.put("correlation_id", metadata.correlationId());
    }
    if (metadata.causationId() != null) {
      json.put("causation_id", metadata.causationId());
    }
    if (metadata.userId() != null) {
      json.put("user_id", metadata.userId());
    }
    return json;
  }

  static EventMetadata metadata(JsonObject json) {
    if (json == null || json.isEmpty()) {
      return EventMetadata.NONE;
    }
    return new EventMetadata(json.getString("correlation_id"), json.getString("causation_id"),
      json.getString("user_id"));
  }

  /** A PostgreSQL array literal such as {@code {"a","b"}}. */
  static String arrayLiteral(Iterable<String> values) {
    StringBuilder out = new StringBuilder("{");
    for (String value : values) {
      if (out.length() > 1) {
        out.append(',');
      }
      out.append('"');
      for (int k = 0; k < value.length(); k++) {
        char ch = value.charAt(k);
        if (ch == '"' || ch == '\\') {
          out.append('\\');
        }
        out.append(ch);
      }
      out.append('"');
    }
    return out.append('}').toString();
  }
}
