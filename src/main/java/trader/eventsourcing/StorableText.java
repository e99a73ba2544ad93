package trader.eventsourcing;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Whether PostgreSQL (a UTF8 database, through the Vert.x client) stores a Java string exactly as it is. Two kinds
 * of character it does not, found against the real server ({@code StorableTextServerTest}):
 * <ul>
 *   <li>U+0000: {@code text} refuses it ("invalid byte sequence for encoding UTF8: 0x00", SQLSTATE 22021), and so
 *   does {@code jsonb}, in a value or a field name ("unsupported Unicode escape sequence", 22P05: JSON writes it as
 *   the escape {@code \u005Cu0000});</li>
 *   <li>a lone UTF-16 surrogate (a high one not followed by a low one, or a low one alone): it has no UTF-8
 *   encoding, and the client sends {@code '?'} in its place. No error, but the stored value is not the one given.</li>
 * </ul>
 * Everything else comes back as it went in: surrogate pairs (emoji), combining marks, other control characters,
 * noncharacters such as U+FFFF. A request, message or event holding either kind is refused where it enters, so that
 * one client's text never fails another's write nor is stored changed.
 */
public final class StorableText {

  private StorableText() {
  }

  /** The index of the first character of {@code s} that cannot be stored as it is; -1 if there is none. */
  public static int flawAt(CharSequence s) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      // one comparison for the common case: U+0001..U+D7FF
      if ((char) (c - 1) < 0xD7FF) {
        continue;
      }
      if (c == 0 || Character.isLowSurrogate(c)) {
        return i;
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return i;
        }
      }
    }
    return -1;
  }

  /** Whether {@code s} is stored exactly as it is. */
  public static boolean isStorable(CharSequence s) {
    return flawAt(s) < 0;
  }

  /**
   * The first string of a JSON value, a field name or a string value at any depth, that cannot be stored; null if
   * there is none. Takes what a {@link JsonObject} may hold (maps, lists, strings, numbers, booleans, instants,
   * binary); any other object is checked as JSON encodes it.
   *
   * @throws io.vertx.core.json.EncodeException if such another object cannot be encoded as JSON
   */
  public static Flaw flawIn(Object json) {
    return switch (json) {
      case null -> null;
      case CharSequence s -> flaw("", false, s);
      case JsonObject object -> inObject(object.getMap());
      case JsonArray array -> inList(array.getList());
      case Map<?, ?> map -> inObject(map);
      case List<?> list -> inList(list);
      case Number n -> null;
      case Boolean b -> null;
      case Enum<?> e -> flaw("", false, e.name());
      case Instant i -> null; // ISO-8601
      case byte[] b -> null; // base64
      case Buffer b -> null; // base64
      default -> flawIn(Json.decodeValue(Json.encode(json)));
    };
  }

  private static Flaw inObject(Map<?, ?> map) {
    for (Map.Entry<?, ?> field : map.entrySet()) {
      String name = String.valueOf(field.getKey());
      int at = flawAt(name);
      if (at >= 0) {
        return new Flaw("", true, at, name.charAt(at)).under(name);
      }
      Flaw inside = flawIn(field.getValue());
      if (inside != null) {
        return inside.under(name);
      }
    }
    return null;
  }

  private static Flaw inList(List<?> list) {
    for (int i = 0; i < list.size(); i++) {
      Flaw inside = flawIn(list.get(i));
      if (inside != null) {
        return inside.under(Integer.toString(i));
      }
    }
    return null;
  }

  private static Flaw flaw(String pointer, boolean inName, CharSequence s) {
    int at = flawAt(s);
    return at < 0 ? null : new Flaw(pointer, inName, at, s.charAt(at));
  }

  /**
   * Where a JSON value holds text that cannot be stored.
   *
   * @param pointer   the JSON Pointer (RFC 6901) of the string value, or of the field whose name it is ({@code ""}:
   *                  the value itself); characters that cannot be stored are written as {@code \u005CuXXXX}
   * @param inName    true if it is the field's name, not its value
   * @param index     the index of the character in that string
   * @param character the character
   */
  public record Flaw(String pointer, boolean inName, int index, char character) {

    /** The same flaw in the value of field (or element) {@code segment} of an enclosing value. */
    Flaw under(String segment) {
      return new Flaw("/" + printable(segment.replace("~", "~0").replace("/", "~1")) + pointer, inName, index,
        character);
    }

    /** E.g. "field /order/symbol holds U+0000 at character 3". */
    public String describe() {
      String where = inName ? "the name of field " + pointer : pointer.isEmpty() ? "the value" : "field " + pointer;
      return where + " holds " + what();
    }

    /** E.g. "U+0000 at character 3". */
    public String what() {
      return StorableText.character(character) + " at character " + index;
    }
  }

  /** "U+0000", or "a lone surrogate U+D800". */
  public static String character(char c) {
    String code = String.format("U+%04X", (int) c);
    return Character.isSurrogate(c) ? "a lone surrogate " + code : code;
  }

  /** {@code s} with every character that cannot be stored written as {@code \u005CuXXXX}: safe to log or store. */
  public static String printable(CharSequence s) {
    int at = flawAt(s);
    if (at < 0) {
      return s.toString();
    }
    StringBuilder out = new StringBuilder(s.length() + 8).append(s, 0, at);
    for (int i = at; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean pair = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
      if (pair) {
        out.append(c).append(s.charAt(++i));
      } else if (c == 0 || Character.isSurrogate(c)) {
        out.append(String.format("\\u%04X", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
