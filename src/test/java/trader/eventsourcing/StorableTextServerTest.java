package trader.eventsourcing;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.testing.TestDatabase;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static trader.eventsourcing.StorableTextTest.hex;

/**
 * What the real PostgreSQL does with each kind of character, through the Vert.x client as the product sends it
 * (text, text[], jsonb from a JsonObject, jsonb cast from text), and that {@link StorableText} says "storable"
 * exactly for the strings that come back unchanged and without an error.
 */
class StorableTextServerTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase(false);

  static Vertx vertx;
  static Pool pool;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    pool = db.database().pool(vertx);
    assertThat(pool.query("show server_encoding").execute().await().iterator().next().getString(0))
      .isEqualTo("UTF8");
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  /** One way a string goes to the server and comes back. */
  record Path(String name, String sql, Function<String, Tuple> in, Function<Row, String> out) {
  }

  static final List<Path> PATHS = List.of(
    new Path("text", "select $1::text", Tuple::of, row -> row.getString(0)),
    new Path("text[]", "select ($1::text[])[1]", s -> Tuple.of((Object) new String[] {s}), row -> row.getString(0)),
    new Path("jsonb value", "select $1::jsonb", s -> Tuple.of(new JsonObject().put("k", s)),
      row -> ((JsonObject) row.getValue(0)).getString("k")),
    new Path("jsonb field name", "select $1::jsonb", s -> Tuple.of(new JsonObject().put(s, 1)),
      row -> ((JsonObject) row.getValue(0)).fieldNames().iterator().next()),
    new Path("jsonb from text", "select $1::text::jsonb", s -> Tuple.of(new JsonObject().put("k", s).encode()),
      row -> ((JsonObject) row.getValue(0)).getString("k")));

  /** What the server gave back: the string, or the SQLSTATE of its refusal. */
  static String roundTrip(Path path, String s) {
    Throwable refused = catchThrowable(() -> pool.preparedQuery(path.sql()).execute(path.in().apply(s)).await());
    if (refused != null) {
      assertThat(refused).as(path.name() + " " + hex(s)).isInstanceOf(PgException.class);
      return "refused " + ((PgException) refused).getSqlState();
    }
    return path.out().apply(pool.preparedQuery(path.sql()).execute(path.in().apply(s)).await().iterator().next());
  }

  @Test
  void whatTheServerRefusesOrChanges() {
    for (Path path : PATHS) {
      String nul = roundTrip(path, "a\u0000b");
      assertThat(nul).as(path.name()).isEqualTo(path.name().startsWith("text") ? "refused 22021" : "refused 22P05");
      assertThat(roundTrip(path, "a\uD800b")).as(path.name() + ": a lone high surrogate").isEqualTo("a?b");
      assertThat(roundTrip(path, "a\uDC00b")).as(path.name() + ": a lone low surrogate").isEqualTo("a?b");
      for (String kept : new String[] {"\uD83D\uDE80", "e\u0301", "\u0001\u001f\u007f", "\uFFFF\uFFFE\uFEFF",
        "\uDBFF\uDFFF", "\\u0000", "中文"}) {
        assertThat(roundTrip(path, kept)).as(path.name() + " " + hex(kept)).isEqualTo(kept);
      }
    }
  }

  @Test
  void storableExactlyWhenTheServerGivesTheStringBack() {
    Random random = new Random(23);
    List<String> samples = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      samples.add(StorableTextTest.sample(random, 0.1).text());
    }
    int refused = 0;
    for (String s : samples) {
      for (Path path : PATHS) {
        String back = roundTrip(path, s);
        boolean same = s.equals(back);
        assertThat(same).as(path.name() + " " + hex(s) + " -> " + back).isEqualTo(StorableText.isStorable(s));
        refused += back != null && back.startsWith("refused") ? 1 : 0;
      }
    }
    assertThat(refused).isGreaterThan(50);
  }
}
