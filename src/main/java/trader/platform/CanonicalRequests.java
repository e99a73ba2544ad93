package trader.platform;

import io.vertx.ext.web.RoutingContext;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Refuses (400) before any routing a request whose path is not written the one way the router reads it, or whose
 * query does not decode.
 *
 * <p>Vert.x routes on the normalised path ({@code RoutingContext.normalizedPath()}: escapes of unreserved
 * characters decoded, dot segments removed, {@code //} collapsed) while handlers, logs and problem documents may
 * read the raw one; a check on one spelling and a route on another is how SockJS sessions were joined by other
 * users. So a path is accepted only when it is its own normal form: no dot segments or empty segments, no escaped
 * unreserved character ({@code %41} for {@code A}), escapes in upper case, decoding to UTF-8 without control
 * characters, no encoded {@code /} or {@code \}, and only characters RFC 3986 allows raw in a path. Browsers and
 * HTTP clients send paths that way; nothing a client needs is refused. Reserved characters ({@code !$&'()*+,;=:@})
 * may still come raw or escaped, as RFC 3986 lets them mean different things; the bridge allows none of them in
 * its ids. The query string must decode, so no handler later fails on it (a 500 instead of a 400).
 */
final class CanonicalRequests {

  private CanonicalRequests() {
  }

  /** A router's handler, before every route that reads a path or a parameter. */
  static void handle(RoutingContext rc) {
    String path = rc.request().path();
    String problem = problem(path);
    if (problem == null && !rc.normalizedPath().equals(path)) {
      problem = "The request path is not in its normal form (no '.' or '..' segments, no '//')";
    }
    if (problem == null) {
      try {
        rc.request().params();
      } catch (IllegalArgumentException e) {
        problem = "The query string is not valid: it has a malformed percent-escape";
      }
    }
    if (problem == null) {
      rc.next();
    } else {
      Problems.send(rc, 400, Problems.title(400), problem);
    }
  }

  /** What is wrong with the spelling of {@code path}, or null when it is canonical (dot segments aside). */
  static String problem(String path) {
    if (path == null || !path.startsWith("/")) {
      return "The request path must start with '/'";
    }
    ByteBuffer decoded = ByteBuffer.allocate(path.length());
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c != '%') {
        if (!allowedRaw(c)) {
          return "The request path has a character that must be percent-encoded (at index " + i + ")";
        }
        decoded.put((byte) c);
        continue;
      }
      int hi = i + 2 < path.length() ? upperHex(path.charAt(i + 1)) : -1;
      int lo = hi < 0 ? -1 : upperHex(path.charAt(i + 2));
      if (lo < 0) {
        return "The request path has a malformed percent-escape at index " + i
          + " (two upper-case hexadecimal digits must follow '%')";
      }
      int b = hi * 16 + lo;
      if (b < 0x80 && unreserved((char) b)) {
        return "The request path escapes '" + (char) b + "' at index " + i + ", which is written as itself";
      }
      if (b < 0x20 || b == 0x7F) {
        return "The request path has an encoded control character at index " + i;
      }
      if (b == '/' || b == '\\') {
        return "The request path has an encoded '/' or '\\' at index " + i;
      }
      decoded.put((byte) b);
      i += 2;
    }
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(decoded.flip());
    } catch (CharacterCodingException e) {
      return "The request path's percent-escapes are not UTF-8";
    }
    return null;
  }

  /** RFC 3986 pchar and '/', less '%': unreserved, sub-delims, ':' and '@'. */
  private static boolean allowedRaw(char c) {
    return unreserved(c) || "!$&'()*+,;=:@/".indexOf(c) >= 0;
  }

  private static boolean unreserved(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_'
      || c == '~';
  }

  private static int upperHex(char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
  }
}
