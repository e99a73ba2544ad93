package trader.platform;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

import java.util.Locale;

/**
 * The headers every HTTP answer of the node carries (UI, static files, API, problems, health, metrics, SockJS),
 * set when the answer's head is written, whoever wrote the rest of it.
 *
 * <p>An HTML document gets {@link #UI_POLICY}; anything else gets {@link #NO_CONTENT_POLICY}, since nothing else
 * is meant to be rendered as a page. {@code Strict-Transport-Security} only when {@code http.public-url} is
 * https (browsers ignore it over http, and a node behind an http-only address must not pin itself). An answer
 * that did not choose its caching is not stored ({@code no-store}: API answers carry the user's data).
 */
final class SecurityHeaders {

  /**
   * The web UI's policy: scripts and styles only from the node's own files, no inline script, style or event
   * handler. {@code 'unsafe-eval'} because Vue compiles the components' string templates in the browser with
   * {@code new Function} (the UI has no build step that could precompile them); see docs/SECURITY.md.
   */
  static final String UI_POLICY = "default-src 'none'; script-src 'self' 'unsafe-eval'; style-src 'self'; "
    + "img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; "
    + "form-action 'self'; frame-ancestors 'none'; object-src 'none'";
  /** Everything that is not an HTML document: no content of any kind, never framed. */
  static final String NO_CONTENT_POLICY = "default-src 'none'; base-uri 'none'; form-action 'none'; "
    + "frame-ancestors 'none'";
  static final String HSTS = "max-age=31536000";

  private final boolean hsts;

  private SecurityHeaders(boolean hsts) {
    this.hsts = hsts;
  }

  /** The headers for a node whose public address is {@code http.public-url}. */
  static SecurityHeaders of(Settings settings) {
    return new SecurityHeaders(settings.string("http.public-url").toLowerCase(Locale.ROOT).startsWith("https:"));
  }

  /** A router's first handler: the headers go on whatever answer the request gets. */
  void handle(RoutingContext rc) {
    rc.addHeadersEndHandler(v -> apply(rc.response()));
    rc.next();
  }

  /** Sets the headers on {@code response}, whose head is not written yet. */
  void apply(HttpServerResponse response) {
    MultiMap headers = response.headers();
    String type = headers.get(HttpHeaders.CONTENT_TYPE);
    boolean html = type != null && type.toLowerCase(Locale.ROOT).startsWith("text/html");
    headers.set("Content-Security-Policy", html ? UI_POLICY : NO_CONTENT_POLICY);
    headers.set("X-Content-Type-Options", "nosniff");
    headers.set("X-Frame-Options", "DENY");
    headers.set("Referrer-Policy", "no-referrer");
    headers.set("Cross-Origin-Opener-Policy", "same-origin");
    headers.set("Cross-Origin-Resource-Policy", "same-origin");
    headers.set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()");
    if (hsts) {
      headers.set("Strict-Transport-Security", HSTS);
    }
    if (!headers.contains(HttpHeaders.CACHE_CONTROL)) {
      headers.set(HttpHeaders.CACHE_CONTROL, "no-store");
    }
  }
}
