package trader.gateway;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.internal.net.RFC3986;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A request path under the bridge read the way SockJS's router reads it (vertx-web 5.0.8): the routing context's
 * normalised path ({@code RoutingContext.normalizedPath()}: unreserved escapes decoded, dot segments removed,
 * {@code //} collapsed), the mount point {@code /eventbus} cut off, matched against the transports' pattern
 * {@code /<server>/<session>/<transport>} (server and session: no {@code /}, no {@code .}), and the session id
 * percent-decoded by the function SockJS's route applies to its path parameters. The route only adds that id to
 * the request's parameters when they have none of that name ({@code RouteState.addPathParam}), and SockJS reads it
 * from there ({@code getParam("param0")}): a query parameter {@code param0} (any case) names the session instead.
 * Whoever routes on this record agrees with SockJS on which session a request joins.
 *
 * @param serverId  the first segment, which SockJS ignores
 * @param sessionId the session as SockJS keys it (decoded)
 * @param transport the transport the request is routed to
 */
record SockJsPath(String serverId, String sessionId, Transport transport) {

  /** Where the bridge is mounted, without the trailing slash. */
  static final String MOUNT = "/eventbus";

  /** The request parameter SockJS's transports read the session id from. */
  static final String SESSION_PARAM = "param0";
  /** SockJS's {@code BaseTransport.COMMON_PATH_ELEMENT_RE} followed by one of its transports' names. */
  private static final Pattern TRANSPORT = Pattern.compile(
    "/([^/.]+)/([^/.]+)/(xhr|xhr_streaming|xhr_send|eventsource|htmlfile|jsonp|jsonp_send|websocket)");

  /** SockJS's transports, as their path segment names them, with the method SockJS serves them on. */
  enum Transport {
    XHR("xhr", HttpMethod.POST, Role.RECEIVES, "application/javascript; charset=UTF-8"),
    XHR_STREAMING("xhr_streaming", HttpMethod.POST, Role.RECEIVES, "application/javascript; charset=UTF-8"),
    XHR_SEND("xhr_send", HttpMethod.POST, Role.SENDS, null),
    EVENTSOURCE("eventsource", HttpMethod.GET, Role.RECEIVES, "text/event-stream"),
    HTMLFILE("htmlfile", HttpMethod.GET, Role.RECEIVES, "text/html; charset=UTF-8"),
    JSONP("jsonp", HttpMethod.GET, Role.RECEIVES, "application/javascript; charset=UTF-8"),
    JSONP_SEND("jsonp_send", HttpMethod.POST, Role.SENDS, null),
    /** SockJS-framed WebSocket: a socket of its own per connection, not kept under its session id. */
    WEBSOCKET("websocket", HttpMethod.GET, Role.OWN_SOCKET, null);

    /** What a request of the transport does with the session its path names. */
    enum Role { RECEIVES, SENDS, OWN_SOCKET }

    final String segment;
    final HttpMethod method;
    final Role role;
    /** The content type SockJS answers a receiving request with. */
    final String contentType;

    Transport(String segment, HttpMethod method, Role role, String contentType) {
      this.segment = segment;
      this.method = method;
      this.role = role;
      this.contentType = contentType;
    }

    /** Whether requests of this transport share one SockJS session by its id (xhr, eventsource, ...). */
    boolean keyedBySession() {
      return role != Role.OWN_SOCKET;
    }

    /** Whether the transport streams frames in one answer (several frames, until a limit), not one per poll. */
    boolean streams() {
      return this == XHR_STREAMING || this == EVENTSOURCE || this == HTMLFILE;
    }

    /** One SockJS frame as this transport writes it in its answer (xhr: a line; eventsource: an event). */
    String frame(String frame) {
      return this == EVENTSOURCE ? "data: " + frame + "\r\n\r\n" : frame + "\n";
    }

    static Transport of(String segment) {
      for (Transport t : values()) {
        if (t.segment.equals(segment)) {
          return t;
        }
      }
      throw new IllegalArgumentException(segment);
    }
  }

  /**
   * The transport path in {@code normalizedPath} (as {@code RoutingContext.normalizedPath()} gives it), with the
   * request's (query) {@code params}, or empty for the bridge's other paths ({@code /info}, the raw
   * {@code /websocket}, ...) and paths outside it.
   *
   * @throws IllegalArgumentException for a session id whose escapes do not decode, as SockJS's router would
   */
  static Optional<SockJsPath> parse(String normalizedPath, MultiMap params) {
    if (!normalizedPath.startsWith(MOUNT + "/")) {
      return Optional.empty();
    }
    Matcher m = TRANSPORT.matcher(normalizedPath.substring(MOUNT.length()));
    if (!m.matches()) {
      return Optional.empty();
    }
    String query = params.get(SESSION_PARAM);
    // else the function vertx-web's RouteState.addPathParam applies to the path's group, which SockJS reads
    String session = query != null ? query : RFC3986.decodeURIComponent(m.group(2), false);
    return Optional.of(new SockJsPath(RFC3986.decodeURIComponent(m.group(1), false), session,
      Transport.of(m.group(3))));
  }

  /** Whether {@code normalizedPath} is the bridge's raw WebSocket endpoint (no SockJS framing, no session). */
  static boolean isRawWebSocket(String normalizedPath) {
    return normalizedPath.equals(MOUNT + "/websocket") || normalizedPath.equals(MOUNT + "/websocket/");
  }
}
