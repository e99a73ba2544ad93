package trader.security;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import trader.gateway.UserTokens;
import trader.testing.ApiNode;
import trader.testing.ApiNode.User;
import trader.testing.RawHttp.Answer;
import trader.testing.TestDatabase;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A socket the bridge closes shows the bridge's close code and reason on every transport — the raw and the
 * SockJS-framed WebSocket, xhr, xhr_streaming and eventsource — and never SockJS's {@code 3000 "Go away!"}: for
 * too many refused requests, for an expired token and for a client that stopped pinging.
 */
class BridgeCloseCodeTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase(false);

  static final String SECRET = "close-code-test-jwt-secret-0123456789ab";
  static final String VIOLATIONS = "c[1008,\"too many refused requests\"]";
  static final String EXPIRED = "c[1008,\"token expired\"]";

  static ApiNode api;
  static int port;
  static WebSocketClient sockets;

  @BeforeAll
  static void start() {
    api = ApiNode.start(db, Map.of("auth.jwt-secret", SECRET, "bridge.max-violations", 3));
    port = api.node().httpPort();
    sockets = api.client().createWebSocketClient();
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.close();
    }
  }

  /** Three registrations the bridge refuses: the third closes the socket. */
  static final List<JsonObject> REFUSED = List.of(SockJsHttp.register("platform.node-info"),
    SockJsHttp.register("accounts.signup"), SockJsHttp.register("user.someone-else.orders"));

  @ParameterizedTest
  @ValueSource(strings = {"xhr", "xhr_streaming", "eventsource"})
  void violationsCloseAnHttpSessionWithTheBridgesCode(String transport) throws Exception {
    User alice = api.signup();
    String session = "/eventbus/000/" + newId();
    String token = SockJsHttp.query(alice.token());
    List<String> frames = new ArrayList<>();
    CompletableFuture<Answer> stream = open(transport, session, token, frames);
    for (JsonObject refused : REFUSED) {
      assertThat(SockJsHttp.send(port, session + "/xhr_send" + token, refused).status()).isEqualTo(204);
    }
    assertThat(firstClose(transport, session, token, stream, frames)).as(frames.toString()).isEqualTo(VIOLATIONS);
  }

  @ParameterizedTest
  @ValueSource(strings = {"xhr", "xhr_streaming", "eventsource"})
  void anExpiredTokenClosesAnHttpSessionWithTheBridgesCode(String transport) throws Exception {
    User alice = api.signup();
    String session = "/eventbus/000/" + newId();
    String token = SockJsHttp.query(shortLived(alice));
    List<String> frames = new ArrayList<>();
    CompletableFuture<Answer> stream = open(transport, session, token, frames);
    assertThat(firstClose(transport, session, token, stream, frames)).as(frames.toString()).isEqualTo(EXPIRED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"raw", "sockjs"})
  void violationsCloseAWebSocketWithTheBridgesCode(String framing) throws Exception {
    Ws ws = new Ws(framing, api.signup().token());
    REFUSED.forEach(ws::write);
    assertThat(ws.closed.get(10, TimeUnit.SECONDS)).isEqualTo("1008 too many refused requests");
    assertThat(ws.closeFrames()).isEqualTo(framing.equals("raw") ? List.of() : List.of(VIOLATIONS));
    assertThat(ws.errors()).contains("too many refused requests");
  }

  @ParameterizedTest
  @ValueSource(strings = {"raw", "sockjs"})
  void anExpiredTokenClosesAWebSocketWithTheBridgesCode(String framing) throws Exception {
    Ws ws = new Ws(framing, shortLived(api.signup()));
    assertThat(ws.closed.get(15, TimeUnit.SECONDS)).isEqualTo("1008 token expired");
    assertThat(ws.closeFrames()).isEqualTo(framing.equals("raw") ? List.of() : List.of(EXPIRED));
  }

  @ParameterizedTest
  @ValueSource(strings = {"xhr", "sockjs"})
  void aClientThatStopsPingingIsClosedWithTheBridgesCode(String transport) throws Exception {
    String idle = "c[1001,\"no ping in time\"]";
    User alice = api.signup();
    if (transport.equals("sockjs")) {
      Ws ws = new Ws(transport, alice.token());
      assertThat(ws.closed.get(30, TimeUnit.SECONDS)).isEqualTo("1001 no ping in time");
      assertThat(ws.closeFrames()).isEqualTo(List.of(idle));
      return;
    }
    String session = "/eventbus/000/" + newId();
    String token = SockJsHttp.query(alice.token());
    List<String> frames = new ArrayList<>();
    CompletableFuture<Answer> none = open(transport, session, token, frames);
    assertThat(firstClose(transport, session, token, none, frames)).as(frames.toString()).isEqualTo(idle);
  }

  /** A token for {@code user} that expires in three seconds. */
  static String shortLived(User user) {
    return UserTokens.create(api.client(), SECRET, 3).issue(user.id(), "someone");
  }

  static String newId() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  /** Opens the session: a poll's "o", or a stream held open in the background (its frames come with its answer). */
  static CompletableFuture<Answer> open(String transport, String session, String token, List<String> frames)
    throws InterruptedException {
    if (transport.equals("xhr")) {
      frames.addAll(SockJsHttp.frames("xhr", SockJsHttp.receive(port, "xhr", session + "/xhr" + token, 5000)));
      assertThat(frames).containsExactly("o");
      return null;
    }
    CompletableFuture<Answer> stream = SockJsHttp.receiveLater(port, transport, session + "/" + transport + token,
      30_000);
    awaitOpen(session, token);
    return stream;
  }

  /** Waits until the session accepts a send (a ping): its stream, opened in the background, has reached SockJS. */
  static void awaitOpen(String session, String token) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (SockJsHttp.send(port, session + "/xhr_send" + token, SockJsHttp.ping()).status() == 404) {
      assertThat(System.nanoTime()).as("session " + session + " open in time").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  /**
   * The first close frame the client gets: from the stream, or by polling as sockjs-client does (one poll after
   * another until a close frame); {@code frames} collects everything that came.
   */
  static String firstClose(String transport, String session, String token, CompletableFuture<Answer> stream,
                           List<String> frames) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      List<String> got = stream != null ? SockJsHttp.frames(transport, stream.get(30, TimeUnit.SECONDS))
        : SockJsHttp.frames("xhr", SockJsHttp.receive(port, "xhr", session + "/xhr" + token, 30_000));
      frames.addAll(got);
      for (String frame : got) {
        if (frame.startsWith("c")) {
          return frame;
        }
      }
      if (stream != null) {
        break;
      }
    }
    throw new AssertionError("no close frame in " + frames);
  }

  /** A bridge WebSocket: raw at /eventbus/websocket, or SockJS-framed; what it received and how it closed. */
  static final class Ws {
    final boolean sockJs;
    final ClientWebSocket socket = sockets.webSocket();
    final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    final CompletableFuture<String> closed = new CompletableFuture<>();

    Ws(String framing, String token) {
      sockJs = framing.equals("sockjs");
      socket.textMessageHandler(received::add);
      socket.binaryMessageHandler(b -> received.add(b.toString()));
      socket.closeHandler(v -> closed.complete(socket.closeStatusCode() + " " + socket.closeReason()));
      String path = sockJs ? "/eventbus/000/" + newId() + "/websocket" : "/eventbus/websocket";
      socket.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI(path + SockJsHttp.query(token))).await();
    }

    void write(JsonObject message) {
      socket.writeTextMessage(sockJs ? new JsonArray().add(message.encode()).encode() : message.encode()).await();
    }

    List<String> closeFrames() {
      return received.stream().filter(f -> f.startsWith("c")).toList();
    }

    /** The bodies of the bridge's error messages. */
    List<String> errors() {
      List<String> errors = new ArrayList<>();
      for (String frame : received) {
        List<JsonObject> messages = sockJs ? SockJsHttp.messages(frame) : frame.startsWith("{")
          ? List.of(new JsonObject(Buffer.buffer(frame))) : List.of();
        messages.stream().filter(m -> "err".equals(m.getString("type"))).forEach(m -> errors.add(m.getString("body")));
      }
      return errors;
    }
  }
}
