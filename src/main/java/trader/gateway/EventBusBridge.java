package trader.gateway;

import io.micrometer.core.instrument.Counter;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.auth.User;
import io.vertx.ext.bridge.PermittedOptions;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import trader.platform.Engine;
import trader.platform.Settings;

import java.util.Map;
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
 * message delivered. Sends and publishes from the browser are refused. Each refusal is logged and counted; after
 * {@code bridge.max-violations} of them the socket is closed. A socket is closed when its token expires. A SockJS
 * session (xhr transports) belongs to the user who opened it: another user's token cannot poll or send into it.
 */
final class EventBusBridge {

  /** Where the bridge is mounted; the static UI stays out of it. */
  static final String PATH = "/eventbus/*";
  /** Public: the quotes of one symbol. */
  static final Pattern QUOTES = Pattern.compile("quotes\\.[A-Z0-9.\\-]{1,16}");
  /** Private: one user's announcements; group 1 is the user id. */
  static final Pattern USER = Pattern.compile("user\\.([^.]+)\\.(portfolios|transfers|savings|orders)");
  /** WebSocket close code of a socket closed by the bridge (1008: policy violation). */
  static final short POLICY_VIOLATION = 1008;

  private static final Logger LOG = LoggerFactory.getLogger(EventBusBridge.class);
  private static final int MAX_ADDRESS_LENGTH = 128;
  /** A SockJS transport request: {@code /eventbus/<server>/<session>/<transport>}; groups: session id, transport. */
  private static final Pattern SESSION_PATH = Pattern.compile("/eventbus/[^/.]+/([^/.]+)/([a-z_]+)");

  private final Supplier<Engine> engine;
  private final Map<SockJSSocket, SocketState> sockets = new ConcurrentHashMap<>();
  /** SockJS session id → the user whose request opened it (sessions are shared by the node's HTTP verticles). */
  private final Map<String, String> sessionOwners = new ConcurrentHashMap<>();

  /** @param engine null until the node is ready: the bridge answers 503 until then */
  EventBusBridge(Supplier<Engine> engine) {
    this.engine = engine;
  }

  /** What the bridge keeps of a socket: its refusals and the timer that closes it when its token expires. */
  private record SocketState(AtomicInteger violations, long expiryTimer) {
  }

  /** Mounts authentication and the bridge on {@code router}; one SockJS handler per HTTP verticle. */
  void mount(Vertx vertx, Router router, Settings settings) {
    int maxViolations = settings.integer("bridge.max-violations", 1, 1000);
    SockJSBridgeOptions options = new SockJSBridgeOptions()
      .addOutboundPermitted(new PermittedOptions().setAddressRegex(QUOTES.pattern()))
      .addOutboundPermitted(new PermittedOptions().setAddressRegex(USER.pattern()))
      .setMaxAddressLength(MAX_ADDRESS_LENGTH)
      .setMaxHandlersPerSocket(settings.integer("bridge.max-handlers-per-socket", 1, 10_000));
    // no dummy JSESSIONID cookie (for load balancers that stick by cookie): it has none of the cookie flags
    Router bridge = SockJSHandler.create(vertx, new SockJSHandlerOptions().setInsertJSESSIONID(false))
      .bridge(options, event -> handle(vertx, event, maxViolations));
    router.route(PATH).handler(authentication());
    router.route(PATH).subRouter(bridge);
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
        .recover(e -> Future.failedFuture(new HttpException(401, "The token is not valid")))
        .compose(user -> claimsSession(rc, user) ? Future.succeededFuture(user)
          : Future.failedFuture(new HttpException(403, "This SockJS session belongs to another user")));
    });
  }

  /**
   * Whether the request's SockJS session (if any) is the user's: a session's messages go to whoever polls it and
   * its socket acts as the user who opened it, so a valid token of another user must not join it.
   */
  private boolean claimsSession(RoutingContext rc, User user) {
    Matcher transport = SESSION_PATH.matcher(rc.request().path());
    if (!transport.matches()) {
      return true;
    }
    String userId = UserTokens.userId(user);
    // a receiving transport may open the session: claim it now, before SockJS answers and another request can
    // join it (its socket is created later, possibly after a second request on another event loop); sends open none
    String owner = transport.group(2).endsWith("_send") ? sessionOwners.get(transport.group(1))
      : sessionOwners.putIfAbsent(transport.group(1), userId);
    if (owner != null && !owner.equals(userId)) {
      LOG.warn("Bridge refused user {} the SockJS session of user {}", userId, owner);
      return false;
    }
    return true;
  }

  /** The SockJS session id in a request path, or null for {@code /info} and the raw WebSocket. */
  private static String sessionId(String path) {
    Matcher transport = SESSION_PATH.matcher(path);
    return transport.matches() ? transport.group(1) : null;
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
          refuse(event, address, maxViolations);
        }
        event.complete(allowed);
      }
      case SEND, PUBLISH -> {
        refuse(event, event.getRawMessage().getString("address"), maxViolations);
        event.complete(false);
      }
      case SOCKET_CLOSED -> {
        forget(vertx, socket);
        event.complete(true);
      }
      case SOCKET_ERROR -> {
        // e.g. a message over http.websocket-frame-limit-bytes: the bridge has dropped the socket's registrations
        // but the socket itself would stay open, listening to nothing
        LOG.warn("Bridge closes the socket of user {}: {}", userId(socket),
          event.getRawMessage() == null ? "socket error" : event.getRawMessage().getString("message"));
        forget(vertx, socket);
        socket.close(POLICY_VIOLATION, "socket error");
        event.complete(true);
      }
      default -> event.complete(true); // pings, unregistrations, idle sockets (closed by the bridge)
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
    long timer = vertx.setTimer(Math.max(1, exp * 1000 - System.currentTimeMillis()),
      id -> socket.close(POLICY_VIOLATION, "token expired"));
    sockets.put(socket, new SocketState(new AtomicInteger(), timer));
    return true;
  }

  private void forget(Vertx vertx, SockJSSocket socket) {
    SocketState state = sockets.remove(socket);
    if (state != null) {
      vertx.cancelTimer(state.expiryTimer());
    }
    String session = sessionId(socket.routingContext().request().path());
    if (session != null) {
      sessionOwners.remove(session);
    }
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

  /** Logs and counts a refusal; the socket is closed at the limit, after the bridge's error frame went out. */
  private void refuse(BridgeEvent event, String address, int maxViolations) {
    SockJSSocket socket = event.socket();
    SocketState state = sockets.get(socket);
    int count = state == null ? maxViolations : state.violations().incrementAndGet();
    String type = event.type().name().toLowerCase();
    LOG.warn("Bridge refused {} of '{}' for user {} ({} of {} allowed)", type, printable(address), userId(socket),
      count, maxViolations);
    Engine current = engine.get();
    if (current != null) {
      Counter.builder("trader.bridge.refusals").description("Requests refused by the SockJS bridge")
        .tag("type", type).register(current.registry()).increment();
    }
    if (count >= maxViolations) {
      LOG.warn("Bridge closes the socket of user {}: {} refusals", userId(socket), count);
      Context context = Vertx.currentContext();
      Runnable close = () -> socket.close(POLICY_VIOLATION, "too many refused requests");
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
