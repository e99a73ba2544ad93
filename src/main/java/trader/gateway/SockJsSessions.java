package trader.gateway;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import trader.gateway.SockJsPath.Transport;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The bridge's SockJS sessions over HTTP (xhr, xhr_streaming, eventsource), by their id as SockJS keys them
 * ({@link SockJsPath}): whose each one is, and how the bridge closed it.
 *
 * <p>A session belongs to the user whose request opened it; another user's requests for it are refused, whatever
 * the spelling of its path. An entry exists only while SockJS has the session: it is made by the receiving request
 * that opens the session and dropped as soon as that request is done if no socket opened ({@code GET} on
 * {@code xhr}, a session SockJS had closed already); it goes when its socket closes, or, when the bridge closed
 * it, once SockJS has forgotten the session too ({@code closedTtlMs}).
 *
 * <p>SockJS closes a session with {@code c[3000,"Go away!"]} whatever code it is asked for. So the bridge closes
 * its sessions here: the receiving request in flight (if any) is ended through SockJS with the bridge's error
 * message (a poll) or gets the bridge's close frame first (a stream); every later receiving request for the
 * session is answered with the bridge's close frame, without SockJS.
 */
final class SockJsSessions {

  /** How the bridge closed a session: the close frame's code and reason. */
  record Closing(short code, String reason) {

    /** The SockJS close frame, {@code c[code,"reason"]}. */
    String frame() {
      return "c" + new JsonArray().add(code).add(reason).encode();
    }
  }

  /** A receiving request while SockJS may still write to it. */
  private record InFlight(RoutingContext rc, Context context, Transport transport) {

    boolean open() {
      HttpServerResponse response = rc.response();
      return !response.ended() && !response.closed();
    }
  }

  /** One session: its owner, the requests being routed to it, its receiving requests, how it was closed. */
  static final class Session {
    final String owner;
    private int routing;
    private boolean opened;
    private Closing closing;
    private final List<InFlight> receiving = new ArrayList<>();

    private Session(String owner) {
      this.owner = owner;
    }

    synchronized Closing closing() {
      return closing;
    }
  }

  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final long closedTtlMs;

  /** @param closedTtlMs how long after the bridge closed a session SockJS may still have it (its session timeout) */
  SockJsSessions(long closedTtlMs) {
    this.closedTtlMs = closedTtlMs;
  }

  /**
   * The session {@code id} for a receiving request of {@code user}, made if there is none; null when it is another
   * user's. Unless the bridge closed the session ({@link Session#closing()}: answer with {@link #answerClosed}),
   * the request is to be routed to SockJS, then {@link #routed}; until then the entry stays even if no socket
   * opens.
   */
  Session enter(String id, String user, RoutingContext rc, Transport transport) {
    Session session = sessions.computeIfAbsent(id, k -> new Session(user));
    synchronized (session) {
      if (!session.owner.equals(user)) {
        return null;
      }
      if (session.closing == null) {
        session.routing++;
        session.receiving.removeIf(r -> !r.open());
        session.receiving.add(new InFlight(rc, Vertx.currentContext(), transport));
      }
      return session;
    }
  }

  /** Called once SockJS has handled a request {@link #enter} admitted: a session no socket opened is dropped. */
  void routed(String id, Session session) {
    synchronized (session) {
      session.routing--;
      if (session.routing > 0 || session.opened || session.closing != null) {
        return;
      }
    }
    sessions.remove(id, session);
  }

  /** The owner of session {@code id}, or null when the bridge has no such session. */
  String owner(String id) {
    Session session = sessions.get(id);
    return session == null ? null : session.owner;
  }

  /** Whether the socket SockJS just created for session {@code id} may open: only in its owner's request. */
  boolean opened(String id, String user) {
    Session session = sessions.get(id);
    if (session == null) {
      return false;
    }
    synchronized (session) {
      if (!session.owner.equals(user) || session.routing == 0) {
        return false;
      }
      session.opened = true;
      return true;
    }
  }

  /** The socket of session {@code id} closed: its entry goes, unless the bridge closed it (see {@link #close}). */
  void closed(String id) {
    Session session = sessions.get(id);
    if (session != null && session.closing() == null) {
      sessions.remove(id, session);
    }
  }

  /**
   * Closes session {@code id}'s socket with the bridge's code and reason (see the class comment); {@code error}
   * is the bridge message that tells the client why before the close.
   */
  void close(String id, SockJSSocket socket, Closing closing, Buffer error) {
    Session session = sessions.get(id);
    if (session == null) {
      socket.close();
      return;
    }
    InFlight current;
    synchronized (session) {
      if (session.closing != null) {
        return;
      }
      session.closing = closing;
      session.receiving.removeIf(r -> !r.open());
      current = session.receiving.isEmpty() ? null : session.receiving.getLast();
    }
    socket.routingContext().vertx().setTimer(closedTtlMs, t -> sessions.remove(id, session));
    if (current == null) {
      socket.close(); // no receiving request: SockJS writes nothing, the next one is answered by answerClosed
      return;
    }
    // on the request's own context SockJS writes to it at once (a poll ends with the message it writes)
    current.context().runOnContext(v -> {
      if (current.open()) {
        socket.write(error);
        if (current.transport().streams() && current.open()) {
          current.rc().response().write(current.transport().frame(closing.frame()));
        }
      }
      socket.close(); // a stream: SockJS's own close frame comes after the bridge's, which the client acts on
    });
  }

  /** Answers a receiving request for a session the bridge closed with the bridge's close frame. */
  static void answerClosed(RoutingContext rc, Transport transport, Closing closing) {
    rc.response().putHeader("Content-Type", transport.contentType)
      .end((transport == Transport.EVENTSOURCE ? "\r\n" : "") + transport.frame(closing.frame()));
  }
}
