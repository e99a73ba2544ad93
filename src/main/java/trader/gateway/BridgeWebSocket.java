package trader.gateway;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import io.vertx.ext.web.handler.sockjs.impl.JsonCodec;
import io.vertx.ext.web.handler.sockjs.impl.SockJSSocketBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * A WebSocket of the bridge, in either of SockJS's framings: {@link Framing#RAW} ({@code /eventbus/websocket}: one
 * WebSocket message per bridge message) or {@link Framing#SOCKJS} ({@code /eventbus/<server>/<session>/websocket}:
 * {@code o} on open, {@code h} heartbeats, {@code a[...]} messages, {@code c[code,"reason"]} on close).
 *
 * <p>The bridge serves these itself rather than through SockJS's WebSocket transports for two reasons. SockJS's
 * sessions close with {@code c[3000,"Go away!"]} whatever code the bridge closes them with; this socket closes
 * with the bridge's code and reason, in the SockJS close frame and in the WebSocket close frame. And SockJS hands
 * every WebSocket failure to the bridge, which logs it as an ERROR with its stack trace; here a client that goes
 * away is logged at DEBUG and one that breaks the protocol (an unmasked or oversized frame) at WARN, and either
 * way the socket closes ({@link EventBusBridge#POLICY_VIOLATION}, "socket error"). Every message is checked by
 * {@link BridgeMessages} before the bridge reads it; one it refuses goes to {@code malformed}.
 */
final class BridgeWebSocket extends SockJSSocketBase {

  /** How messages travel on the WebSocket. */
  enum Framing { RAW, SOCKJS }

  private static final Logger LOG = LoggerFactory.getLogger(BridgeWebSocket.class);

  private final ServerWebSocket ws;
  private final Framing framing;
  private final BiConsumer<SockJSSocket, String> malformed;
  private final long heartbeat;
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;
  private Handler<Void> closeHandler;
  private boolean closed;

  /**
   * Opens the socket on an accepted WebSocket (SockJS framing: writes {@code o}, starts the heartbeat).
   *
   * @param malformed told of each message {@link BridgeMessages} refuses (or SockJS frame that does not decode),
   *                  with what is wrong with it; the message goes no further
   */
  BridgeWebSocket(Vertx vertx, RoutingContext rc, SockJSHandlerOptions options, ServerWebSocket ws, Framing framing,
                  BiConsumer<SockJSSocket, String> malformed) {
    super(vertx, rc, options);
    this.ws = ws;
    this.framing = framing;
    this.malformed = malformed;
    ws.textMessageHandler(this::received);
    ws.binaryMessageHandler(data -> received(data.toString()));
    ws.exceptionHandler(this::failed);
    ws.closeHandler(v -> ended());
    if (framing == Framing.SOCKJS) {
      ws.writeTextMessage("o");
      heartbeat = vertx.setPeriodic(options.getHeartbeatInterval(), id -> ws.writeTextMessage("h"));
    } else {
      heartbeat = -1;
    }
  }

  private void received(String text) {
    if (framing == Framing.RAW) {
      deliver(text);
      return;
    }
    if (text.isEmpty() || text.equals("[]")) {
      return; // SockJS clients send empty frames; SockJS ignores them too
    }
    List<String> messages = BridgeMessages.sockJsFrame(text);
    if (messages == null) {
      malformed.accept(this, "a SockJS frame is a JSON array of strings");
      return;
    }
    messages.forEach(this::deliver);
  }

  private void deliver(String message) {
    String problem = BridgeMessages.problem(message);
    if (problem != null) {
      malformed.accept(this, problem);
    } else if (handler != null && !closed) {
      handler.handle(Buffer.buffer(message));
    }
  }

  private void failed(Throwable t) {
    if (t instanceof IOException || t instanceof HttpClosedException) {
      LOG.debug("Bridge WebSocket of user {} lost its connection: {}", userId(), t.toString());
    } else {
      LOG.warn("Bridge closes the WebSocket of user {}: {}", userId(), t.toString());
    }
    close(EventBusBridge.POLICY_VIOLATION, "socket error");
  }

  private void ended() {
    closed = true;
    vertx.cancelTimer(heartbeat);
    super.close();
    if (endHandler != null) {
      endHandler.handle(null);
    }
    if (closeHandler != null) {
      closeHandler.handle(null);
    }
  }

  private String userId() {
    return webUser() == null ? null : UserTokens.userId(webUser());
  }

  @Override
  public Future<Void> write(Buffer data) {
    if (closed) {
      return Future.failedFuture("The socket is closed");
    }
    return framing == Framing.RAW ? ws.writeBinaryMessage(data) : write(data.toString());
  }

  @Override
  public Future<Void> write(String data) {
    if (closed) {
      return Future.failedFuture("The socket is closed");
    }
    return ws.writeTextMessage(framing == Framing.RAW ? data : "a" + JsonCodec.encode(new String[] {data}));
  }

  /** Closes normally (1000); the bridge closes with its own codes through {@link #close(int, String)}. */
  @Override
  public void close() {
    close(1000, "closed");
  }

  @Override
  public void close(int statusCode, String reason) {
    if (closed) {
      return;
    }
    closed = true;
    vertx.cancelTimer(heartbeat);
    if (framing == Framing.SOCKJS) {
      ws.writeTextMessage("c" + new JsonArray().add(statusCode).add(reason).encode());
    }
    ws.close((short) statusCode, reason);
  }

  @Override
  public void closeAfterSessionExpired() {
    close(1001, "no ping in time");
  }

  @Override
  public SockJSSocket exceptionHandler(Handler<Throwable> handler) {
    return this; // failures are the client's: handled above, never the bridge's ERROR
  }

  @Override
  public SockJSSocket handler(Handler<Buffer> handler) {
    this.handler = handler;
    return this;
  }

  @Override
  public SockJSSocket pause() {
    ws.pause();
    return this;
  }

  @Override
  public SockJSSocket resume() {
    ws.resume();
    return this;
  }

  @Override
  public SockJSSocket fetch(long amount) {
    ws.fetch(amount);
    return this;
  }

  @Override
  public SockJSSocket endHandler(Handler<Void> endHandler) {
    this.endHandler = endHandler;
    return this;
  }

  @Override
  public SockJSSocket closeHandler(Handler<Void> closeHandler) {
    this.closeHandler = closeHandler;
    return this;
  }

  @Override
  public SockJSSocket setWriteQueueMaxSize(int maxSize) {
    ws.setWriteQueueMaxSize(maxSize);
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return ws.writeQueueFull();
  }

  @Override
  public SockJSSocket drainHandler(Handler<Void> handler) {
    ws.drainHandler(handler);
    return this;
  }

  @Override
  public SocketAddress remoteAddress() {
    return ws.remoteAddress();
  }

  @Override
  public SocketAddress localAddress() {
    return ws.localAddress();
  }

  @Override
  public MultiMap headers() {
    return ws.headers();
  }

  @Override
  public String uri() {
    return ws.uri();
  }
}
