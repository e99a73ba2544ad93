package trader.eventsourcing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The character check, property style: random strings built of pieces whose storability is known (NUL, lone high
 * and low surrogates, surrogate pairs, emoji, combining marks, other scripts, controls, noncharacters); the check
 * must find exactly the first bad piece, wherever a string sits in a JSON value.
 */
class StorableTextTest {

  /** Pieces PostgreSQL stores exactly (see StorableTextServerTest), and pieces it refuses or changes. */
  static final String[] GOOD = {"a", "Z", "0", " ", "~", "\t", "\u0001", "\u001f", "\u007f", "é", "e\u0301",
    "\u0915\u094d\u0937", "中文", "\uFEFF", "\uFFFD", "\uFFFE", "\uFFFF", "\uE000", "\uD7FF", "\uD83D\uDE80",
    "\uD83D\uDC69\u200D\uD83D\uDCBB", "\uD800\uDC00", "\uDBFF\uDFFF", "🇫🇷", "\\u0000", "\"", "/"};
  static final String[] BAD = {"\u0000", "\uD800", "\uDBFF", "\uDC00", "\uDFFF", "\uDE00\uD83D"};

  /** A random string and the index of its first bad character (-1 if none). */
  record Sample(String text, int firstBad) {
  }

  static Sample sample(Random random, double badChance) {
    StringBuilder s = new StringBuilder();
    int firstBad = -1;
    for (int n = random.nextInt(12); n > 0; n--) {
      if (random.nextDouble() < badChance) {
        String bad = BAD[random.nextInt(BAD.length)];
        // a lone high surrogate followed by a piece starting with a low one would make a pair: keep them apart
        if (Character.isHighSurrogate(bad.charAt(bad.length() - 1))) {
          bad = bad + "x";
        }
        firstBad = firstBad < 0 ? s.length() : firstBad;
        s.append(bad);
      } else {
        s.append(GOOD[random.nextInt(GOOD.length)]);
      }
    }
    return new Sample(s.toString(), firstBad);
  }

  @Test
  void findsTheFirstCharacterThatCannotBeStoredAndNothingElse() {
    Random random = new Random(17);
    int good = 0;
    int bad = 0;
    for (int i = 0; i < 100_000; i++) {
      Sample sample = sample(random, 0.08);
      assertThat(StorableText.flawAt(sample.text())).as(hex(sample.text())).isEqualTo(sample.firstBad());
      assertThat(StorableText.isStorable(sample.text())).isEqualTo(sample.firstBad() < 0);
      String printable = StorableText.printable(sample.text());
      assertThat(StorableText.isStorable(printable)).as(hex(printable)).isTrue();
      if (sample.firstBad() < 0) {
        good++;
        assertThat(printable).isEqualTo(sample.text());
      } else {
        bad++;
        assertThat(printable).contains("\\u");
      }
    }
    assertThat(good).isGreaterThan(20_000);
    assertThat(bad).isGreaterThan(20_000);
  }

  @Test
  void eachKindOnItsOwn() {
    assertThat(StorableText.flawAt("")).isEqualTo(-1);
    assertThat(StorableText.flawAt("ab\u0000")).isEqualTo(2);
    assertThat(StorableText.flawAt("\uD83D\uDE00\uD83D")).as("a high surrogate at the end").isEqualTo(2);
    assertThat(StorableText.flawAt("\uD83D\uD83D\uDE00")).as("a high one before a pair").isZero();
    assertThat(StorableText.flawAt("a\uDE00\uD83D")).as("a pair in the wrong order").isEqualTo(1);
    assertThat(StorableText.flawAt("e\u0301\uFFFF\uFFFE\u0001")).isEqualTo(-1);
    assertThat(StorableText.character('\u0000')).isEqualTo("U+0000");
    assertThat(StorableText.character('\uDC00')).isEqualTo("a lone surrogate U+DC00");
    assertThat(StorableText.printable("a\u0000b\uD800")).isEqualTo("a\\u0000b\\uD800");
  }

  /** A random JSON value holding {@code text} somewhere: as a value or a field name, at a random depth. */
  static Object jsonHolding(String text, boolean asName, Random random, List<String> path) {
    if (path.size() < 4 && random.nextInt(3) > 0) {
      if (random.nextBoolean()) {
        JsonObject object = new JsonObject().put("n", 1).put("ok", "\uD83D\uDE00 fine");
        String name = "f" + random.nextInt(3) + (random.nextBoolean() ? "/x~y" : "");
        path.add(name.replace("~", "~0").replace("/", "~1"));
        object.put(name, jsonHolding(text, asName, random, path));
        return random.nextBoolean() ? object : object.getMap(); // as built, and as nested maps of a decoded body
      }
      int at = random.nextInt(3);
      List<Object> list = new ArrayList<>(List.of("a", 2, true));
      path.add(Integer.toString(at));
      list.add(at, jsonHolding(text, asName, random, path));
      return random.nextBoolean() ? new JsonArray(list) : list;
    }
    if (asName) {
      path.add(StorableText.printable(text.replace("~", "~0").replace("/", "~1")));
      return Map.of(text, "v");
    }
    return text;
  }

  @Test
  void findsTheStringInAJsonValueAtAnyDepthAsAValueOrAName() {
    Random random = new Random(5);
    for (int i = 0; i < 20_000; i++) {
      Sample sample = sample(random, 0.15);
      boolean asName = random.nextBoolean();
      List<String> path = new ArrayList<>();
      Object json = jsonHolding(sample.text(), asName, random, path);
      StorableText.Flaw flaw = StorableText.flawIn(json);
      if (sample.firstBad() < 0) {
        assertThat(flaw).as(String.valueOf(json)).isNull();
        continue;
      }
      assertThat(flaw).as(hex(sample.text())).isNotNull();
      assertThat(flaw.pointer()).isEqualTo(path.isEmpty() ? "" : "/" + String.join("/", path));
      assertThat(flaw.inName()).isEqualTo(asName);
      assertThat(flaw.index()).isEqualTo(sample.firstBad());
      assertThat(flaw.character()).isEqualTo(sample.text().charAt(sample.firstBad()));
      assertThat(StorableText.isStorable(flaw.describe())).isTrue();
    }
    assertThat(StorableText.flawIn(new JsonObject().put("order", new JsonObject().put("symbol", "AA\u0000PL")))
      .describe()).isEqualTo("field /order/symbol holds U+0000 at character 2");
    assertThat(StorableText.flawIn(new JsonObject().put("a\uD800", 1)).describe())
      .isEqualTo("the name of field /a\\uD800 holds a lone surrogate U+D800 at character 1");
    assertThat(StorableText.flawIn(new JsonObject().put("n", 1).put("b", false).putNull("c")
      .put("t", java.time.Instant.EPOCH).put("bin", new byte[] {0}))).isNull();
  }

  static String hex(String s) {
    return s.chars().mapToObj(c -> String.format("%04X", c)).toList().toString();
  }
}
