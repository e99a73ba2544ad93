package trader.gateway;

import io.micrometer.core.instrument.Counter;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.web.RequestBody;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.AuthenticationHandler;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.handler.SimpleAuthenticationHandler;
import io.vertx.ext.web.handler.sockjs.BridgeEvent;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import io.vertx.ext.web.handler.sockjs.Transport;
import io.vertx.ext.web.handler.sockjs.impl.EventBusBridgeImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import trader.gateway.SockJsPath.Transport.Role;
import trader.gateway.SockJsSessions.Closing;
import trader.platform.Engine;
import trader.platform.Problems;
import trader.platform.Settings;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SockJS event-bus bridge at {@code /eventbus}: pushes from the contexts to browsers, nothing the other way.
 *
 * <p>Every request under {@code /eventbus} (the SockJS {@code /info}, each transport request, the raw WebSocket)
 * carries the user's token, as query parameter {@code token} (browsers cannot set headers on SockJS) or as
 * {@code Authorization: Bearer}; it is checked by the same {@link UserTokens} as the REST API, and a request
 * without a valid one is a 401 before SockJS sees it. A socket may register for {@code quotes.<SYMBOL>} and for
 * its own user's {@code user.<userId>.*} addresses only; that is checked on registration and again on every
 * message delivered. Sends and publishes from the browser are refused, and so are messages the bridge could not
 * read ({@link BridgeMessages}). Each refusal is logged and counted; after {@code bridge.max-violations} of them
 * the socket is closed. A socket is closed when its token expires.
 *
 * <p>A SockJS session over HTTP (xhr, xhr_streaming, eventsource) belongs to the user who opened it
 * ({@link SockJsSessions}); which session a request names is read exactly as SockJS's router reads it
 * ({@link SockJsPath}), after the HTTP server refused every path not in its canonical spelling. The WebSockets
 * (raw and SockJS-framed) are served by {@link BridgeWebSocket}. Whatever the transport, a socket the bridge
 * closes gets an error message saying why and then the bridge's close code and reason, never SockJS's
 * {@code 3000 "Go away!"}. The iframe-based transports (htmlfile, jsonp) are off: they need inline script, which
 * the UI's Content-Security-Policy forbids, and no browser the UI runs in needs them.
 */
final class EventBusBridge {

  /** Where the bridge is mounted; the static UI stays out of it. */
  static final String PATH = SockJsPath.MOUNT + "/*";
  /** Public: the quotes of one symbol. */
  static final Pattern QUOTES = Pattern.compile("quotes\\.[A-Z0-9.\\-]{1,16}");
  /** Private: one user's announcements; group 1 is the user id. */
  static final Pattern USER = Pattern.compile("user\\.([^.]+)\\.(portfolios|transfers|savings|orders)");
  /** Close code of a socket closed by the bridge for what its client did (1008: policy violation). */
  static final short POLICY_VIOLATION = 1008;
  /** Close code of a socket whose client stopped pinging (1001: going away). */
  static final short GOING_AWAY = 1001;
  /** SockJS server and session ids: what SockJS clients generate, and nothing that could be spelt two ways. */
  static final Pattern SOCKJS_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private static final Logger LOG = LoggerFactory.getLogger(EventBusBridge.class);
  private static final int MAX_ADDRESS_LENGTH = 128;

  private final Supplier<Engine> engine;
  private final Map<SockJSSocket, SocketState> sockets = new ConcurrentHashMap<>();
  /** The sessions of the HTTP transports, shared by the node's HTTP verticles as SockJS's own sessions are. */
  private final SockJsSessions sessions = new SockJsSessions(
    2 * SockJSHandlerOptions.DEFAULT_SESSION_TIMEOUT);

  /** @param engine null until the node is ready: the bridge answers 503 until then */
  EventBusBridge(Supplier<Engine> engine) {
    this.engine = engine;
  }

  /** What the bridge keeps of a socket: its refusals and the timer that closes it when its token expires. */
  private record SocketState(AtomicInteger violations, long expiryTimer) {
  }

  /** One HTTP verticle's bridge: its SockJS router, and the bridge handler that its WebSockets go to as well. */
  private record Mounted(Vertx vertx, SockJSHandlerOptions options, EventBusBridgeImpl bridge, int maxViolations) {
  }

  /** Mounts authentication and the bridge on {@code router}; one SockJS handler per HTTP verticle. */
  void mount(Vertx vertx, Router router, Settings settings) {
    int maxViolations = settings.integer("bridge.max-violations", 1, 1000);
    SockJSBridgeOptions options = new SockJSBridgeOptions()
      .addOutboundPermitted(new PermittedOptions().setAddressRegex(QUOTES.pattern()))
      .addOutboundPermitted(new PermittedOptions().setAddressRegex(USER.pattern()))
      .setMaxAddressLength(MAX_ADDRESS_LENGTH)
      .setMaxHandlersPerSocket(settings.integer("bridge.max-handlers-per-socket", 1, 10_000));
    SockJSHandlerOptions sockJs = new SockJSHandlerOptions()
      // the dummy JSESSIONID cookie is only for load balancers that stick by cookie; it has no flags
      .setInsertJSESSIONID(false)
      .addDisabledTransport(Transport.HTML_FILE.name()).addDisabledTransport(Transport.JSON_P.name());
    Mounted mounted = new Mounted(vertx, sockJs, new EventBusBridgeImpl(vertx, null, options,
      event -> handle(vertx, event, maxViolations)), maxViolations);
    router.route(PATH).handler(authentication());
    router.route(PATH).handler(rc -> admit(rc, mounted));
    router.route(PATH).subRouter(SockJSHandler.create(vertx, sockJs).socketHandler(mounted.bridge()));
  }

  private AuthenticationHandler authentication() {
    return SimpleAuthenticationHandler.create().authenticate(rc -> {
      Engine current = engine.get();
      if (current == null) {
        return Future.failedFuture(new HttpException(503, "The node is still starting"));
      }
      String token = token(rc);
      if (token == null || token.isBlank()) {
        return Future.failedFuture(new HttpException(401,
          "A token is required: query parameter token, or Authorization: Bearer"));
      }
      return current.userTokens().verify(token)
        .recover(e -> Future.failedFuture(new HttpException(401, "The token is not valid")));
    });
  }

  /**
   * Lets an authenticated request through to SockJS, or answers it: WebSockets are opened here; a request for a
   * SockJS session must be its owner's; a send must carry messages the bridge can read.
   */
  private void admit(RoutingContext rc, Mounted mounted) {
    String path = rc.normalizedPath();
    if (SockJsPath.isRawWebSocket(path)) {
      upgrade(rc, mounted, BridgeWebSocket.Framing.RAW);
      return;
    }
    Optional<SockJsPath> parsed = SockJsPath.parse(path, rc.request().params());
    if (parsed.isEmpty()) {
      rc.next(); // /info, the welcome page; SockJS answers 404 for everything else
      return;
    }
    SockJsPath target = parsed.get();
    if (rc.request().params().contains(SockJsPath.SESSION_PARAM)) {
      Problems.send(rc, 400, Problems.title(400), "Query parameter " + SockJsPath.SESSION_PARAM
        + " is not allowed on the bridge (SockJS would take it for the session id)");
    } else if (!SOCKJS_ID.matcher(target.serverId()).matches() || !SOCKJS_ID.matcher(target.sessionId()).matches()) {
      Problems.send(rc, 400, Problems.title(400), "SockJS server and session ids are 1 to 64 letters, digits, "
        + "'-' or '_'");
    } else if (target.transport() == SockJsPath.Transport.WEBSOCKET) {
      upgrade(rc, mounted, BridgeWebSocket.Framing.SOCKJS);
    } else if (rc.request().method() != target.transport().method) {
      rc.next(); // SockJS answers the CORS preflight, 404 or 405; no session is touched
    } else if (target.transport().role == Role.SENDS) {
      send(rc, target.sessionId());
    } else {
      receive(rc, target);
    }
  }

  private void send(RoutingContext rc, String session) {
    String user = UserTokens.userId(rc.user());
    String owner = sessions.owner(session);
    String problem = owner == null ? null : sendProblem(rc.body());
    if (owner == null) {
      Problems.send(rc, 404, Problems.title(404), "No open SockJS session " + session);
    } else if (!owner.equals(user)) {
      LOG.warn("Bridge refused user {} a send into the SockJS session of user {}", user, owner);
      Problems.send(rc, 403, Problems.title(403), "This SockJS session belongs to another user");
    } else if (problem != null) {
      Problems.send(rc, 400, Problems.title(400), problem);
    } else {
      rc.next();
    }
  }

  /** What is wrong with an {@code xhr_send} body, or null: a SockJS frame of messages the bridge can read. */
  private static String sendProblem(RequestBody body) {
    List<String> messages = body.available() && body.length() > 0 ? BridgeMessages.sockJsFrame(body.asString())
      : null;
    if (messages == null) {
      return "The body is a SockJS frame: a JSON array of strings, each a bridge message";
    }
    for (int i = 0; i < messages.size(); i++) {
      String problem = BridgeMessages.problem(messages.get(i));
      if (problem != null) {
        return "Message " + i + " of the frame: " + problem;
      }
    }
    return null;
  }

  private void receive(RoutingContext rc, SockJsPath target) {
    String user = UserTokens.userId(rc.user());
    SockJsSessions.Session session = sessions.enter(target.sessionId(), user, rc, target.transport());
    if (session == null) {
      LOG.warn("Bridge refused user {} the SockJS session of user {}", user, sessions.owner(target.sessionId()));
      Problems.send(rc, 403, Problems.title(403), "This SockJS session belongs to another user");
      return;
    }
    Closing closing = session.closing();
    if (closing != null) {
      SockJsSessions.answerClosed(rc, target.transport(), closing);
      return;
    }
    try {
      rc.next(); // SockJS handles the request before this returns: it opens the session or joins it
    } finally {
      sessions.routed(target.sessionId(), session);
    }
  }

  private void upgrade(RoutingContext rc, Mounted mounted, BridgeWebSocket.Framing framing) {
    if (rc.request().method() != HttpMethod.GET || !rc.request().canUpgradeToWebSocket()) {
      rc.next(); // SockJS answers 405, or 400 "Can "Upgrade" only to "WebSocket""
      return;
    }
    rc.request().toWebSocket()
      .onSuccess(ws -> mounted.bridge().handle(new BridgeWebSocket(mounted.vertx(), rc, mounted.options(), ws,
        framing, (socket, problem) -> refuse(socket, "a malformed message (" + problem + ")", "message",
          mounted.maxViolations()))))
      .onFailure(e -> {
        LOG.debug("WebSocket handshake failed: {}", e.toString());
        if (!rc.response().ended()) {
          Problems.send(rc, 400, Problems.title(400), "The WebSocket handshake failed");
        }
      });
  }

  /** The bearer token of a request: the header when there is one, else the {@code token} query parameter. */
  static String token(RoutingContext rc) {
    String header = rc.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return header.substring(7).trim();
    }
    return rc.request().getParam("token");
  }

  private void handle(Vertx vertx, BridgeEvent event, int maxViolations) {
    SockJSSocket socket = event.socket();
    switch (event.type()) {
      case SOCKET_CREATED -> event.complete(opened(vertx, socket));
      case REGISTER, RECEIVE -> {
        String address = event.getRawMessage().getString("address");
        boolean allowed = allows(userId(socket), address);
        if (!allowed) {
          refuse(socket, "'" + printable(address) + "'", event.type().name().toLowerCase(), maxViolations);
        }
        event.complete(allowed);
      }
      case SEND, PUBLISH -> {
        refuse(socket, "'" + printable(event.getRawMessage().getString("address")) + "'",
          event.type().name().toLowerCase(), maxViolations);
        event.complete(false);
      }
      case SOCKET_CLOSED -> {
        forget(vertx, socket);
        event.complete(true);
      }
      case SOCKET_ERROR -> {
        // SockJS's HTTP sessions raise none; the bridge's WebSockets handle their own failures
        LOG.warn("Bridge closes the socket of user {}: {}", userId(socket),
          event.getRawMessage() == null ? "socket error" : event.getRawMessage().getString("message"));
        forget(vertx, socket);
        close(socket, POLICY_VIOLATION, "socket error");
        event.complete(true);
      }
      case SOCKET_IDLE -> {
        // refusing the event keeps SockJS from closing the socket its own way; the bridge closes it with its code
        LOG.debug("Bridge closes the idle socket of user {}", userId(socket));
        close(socket, GOING_AWAY, "no ping in time");
        event.complete(false);
      }
      default -> event.complete(true); // pings, unregistrations
    }
  }

  /** Accepts an authenticated socket and arranges for it to close when its token expires. */
  private boolean opened(Vertx vertx, SockJSSocket socket) {
    User user = socket.webUser();
    // the JWT provider keeps exp among the user's attributes, not in the principal
    Long exp = user == null ? null : user.attributes().getLong("exp");
    if (exp == null) {
      return false; // cannot happen behind the authentication handler (our tokens expire); refuse rather than trust
    }
    String session = sessionOf(socket);
    if (session != null && !sessions.opened(session, UserTokens.userId(user))) {
      LOG.warn("Bridge refused a SockJS session {} that user {} did not open", session, UserTokens.userId(user));
      return false;
    }
    long timer = vertx.setTimer(Math.max(1, exp * 1000 - System.currentTimeMillis()),
      id -> close(socket, POLICY_VIOLATION, "token expired"));
    sockets.put(socket, new SocketState(new AtomicInteger(), timer));
    return true;
  }

  private void forget(Vertx vertx, SockJSSocket socket) {
    SocketState state = sockets.remove(socket);
    if (state != null) {
      vertx.cancelTimer(state.expiryTimer());
    }
    String session = sessionOf(socket);
    if (session != null) {
      sessions.closed(session);
    }
  }

  /**
   * Closes a socket with the bridge's own code and reason, after an error message ({@code {"type":"err"}}) that
   * says why: a WebSocket closes with them; a SockJS session over HTTP is closed by {@link SockJsSessions}.
   */
  private void close(SockJSSocket socket, short code, String reason) {
    Buffer error = Buffer.buffer(new JsonObject().put("type", "err").put("body", reason).encode());
    String session = sessionOf(socket);
    if (session == null) {
      socket.write(error);
      socket.close(code, reason);
    } else {
      sessions.close(session, socket, new Closing(code, reason), error);
    }
  }

  /** The SockJS session a socket of the HTTP transports belongs to, or null for a WebSocket. */
  private static String sessionOf(SockJSSocket socket) {
    RoutingContext rc = socket.routingContext();
    return SockJsPath.parse(rc.normalizedPath(), rc.request().params())
      .filter(p -> p.transport().keyedBySession()).map(SockJsPath::sessionId).orElse(null);
  }

  /** Whether the socket of user {@code userId} may listen on {@code address}. */
  static boolean allows(String userId, String address) {
    if (userId == null || address == null) {
      return false;
    }
    if (QUOTES.matcher(address).matches()) {
      return true;
    }
    Matcher own = USER.matcher(address);
    return own.matches() && own.group(1).equals(userId);
  }

  /**
   * Logs and counts a refusal of {@code what} ({@code type}: register, send, message, ...); the socket is closed at
   * the limit, after the bridge's error frame went out.
   */
  private void refuse(SockJSSocket socket, String what, String type, int maxViolations) {
    SocketState state = sockets.get(socket);
    int count = state == null ? maxViolations : state.violations().incrementAndGet();
    LOG.warn("Bridge refused {} of {} for user {} ({} of {} allowed)", type, what, userId(socket), count,
      maxViolations);
    Engine current = engine.get();
    if (current != null) {
      Counter.builder("trader.bridge.refusals").description("Requests refused by the SockJS bridge")
        .tag("type", type).register(current.registry()).increment();
    }
    if (type.equals("message")) {
      socket.write(Buffer.buffer(new JsonObject().put("type", "err").put("body", "invalid_message").encode()));
    }
    if (count >= maxViolations) {
      LOG.warn("Bridge closes the socket of user {}: {} refusals", userId(socket), count);
      Context context = Vertx.currentContext();
      Runnable close = () -> close(socket, POLICY_VIOLATION, "too many refused requests");
      if (context == null) {
        close.run();
      } else {
        context.runOnContext(v -> close.run());
      }
    }
  }

  private static String userId(SockJSSocket socket) {
    User user = socket.webUser();
    return user == null ? null : UserTokens.userId(user);
  }

  /** An address from the client as it can be logged: bounded, without control characters. */
  private static String printable(String address) {
    if (address == null) {
      return "";
    }
    String bounded = address.length() > MAX_ADDRESS_LENGTH ? address.substring(0, MAX_ADDRESS_LENGTH) + "..." : address;
    return bounded.replaceAll("\\p{Cntrl}", "?");
  }
}
