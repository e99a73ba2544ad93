package trader.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.platform.Node;
import trader.testing.ApiNode;
import trader.testing.ApiNode.User;
import trader.testing.TestDatabase;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The SockJS event-bus bridge at {@code /eventbus} over real WebSockets against a whole node. */
class EventBusBridgeTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase(false);

  static final String SECRET = "test-node-jwt-secret-0123456789abcdefgh";
  static final String SYMBOL = "AAPL";

  static ApiNode api;
  static Node node;
  static WebClient http;
  static WebSocketClient sockets;
  /** For SockJS xhr transports, whose polling responses close the connection: no pooled connections. */
  static WebClient xhr;

  @BeforeAll
  static void start() {
    api = ApiNode.start(db, Map.of("auth.jwt-secret", SECRET, "quotes.tick-ms", 200, "bridge.max-violations", 3));
    node = api.node();
    http = api.http();
    sockets = api.client().createWebSocketClient();
    xhr = WebClient.create(api.client(), new WebClientOptions().setDefaultHost("127.0.0.1")
      .setDefaultPort(node.httpPort()).setKeepAlive(false));
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.close();
    }
  }

  static User signup() {
    return api.signup();
  }

  /** A socket on the raw WebSocket endpoint, which speaks the bridge's JSON frames without SockJS framing. */
  static final class BridgeSocket {
    final WebSocket ws;
    final BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    final CompletableFuture<Short> closed = new CompletableFuture<>();

    BridgeSocket(String uri) {
      ClientWebSocket socket = sockets.webSocket();
      socket.handler(data -> frames.add(data.toJsonObject())); // the bridge writes binary messages
      socket.closeHandler(v -> closed.complete(socket.closeStatusCode()));
      this.ws = socket.connect(at(uri)).await();
    }

    BridgeSocket write(String type, String address) {
      ws.writeTextMessage(new JsonObject().put("type", type).put("address", address).put("body", new JsonObject())
        .encode()).await();
      return this;
    }

    /** The next frame, or null when none came within {@code ms}. */
    JsonObject next(long ms) throws InterruptedException {
      return frames.poll(ms, TimeUnit.MILLISECONDS);
    }

    /** Waits for a message on {@code address} whose body has {@code field} = {@code value}; fails on an error frame. */
    JsonObject awaitMessage(String address, String field, String value) throws InterruptedException {
      return awaitMessage(address, field, value, 15);
    }

    JsonObject awaitMessage(String address, String field, String value, int seconds) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      while (System.nanoTime() < deadline) {
        JsonObject frame = next(100);
        if (frame == null) {
          continue;
        }
        assertThat(frame.getString("type")).as(frame.encode()).isEqualTo("rec");
        if (frame.getString("address").equals(address) && value.equals(frame.getJsonObject("body").getString(field))) {
          return frame;
        }
      }
      throw new AssertionError("no message on " + address + " with " + field + " = " + value);
    }

    /** Registers for {@code address} and returns once a message published there reaches the socket. */
    BridgeSocket listen(String address) throws InterruptedException {
      write("register", address);
      String probe = UUID.randomUUID().toString();
      long timer = node.vertx().setPeriodic(1, 100, id ->
        node.vertx().eventBus().publish(address, new JsonObject().put("probe", probe)));
      try {
        awaitMessage(address, "probe", probe);
      } finally {
        node.vertx().cancelTimer(timer);
      }
      sleepQuietly(200); // probes already on their way
      frames.clear();
      return this;
    }
  }

  static WebSocketConnectOptions at(String uri) {
    return new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.httpPort()).setURI(uri);
  }

  static BridgeSocket connect(String token) {
    return new BridgeSocket("/eventbus/websocket?token=" + encode(token));
  }

  static int upgradeStatus(WebSocketConnectOptions options) {
    try {
      sockets.connect(options).await();
    } catch (UpgradeRejectedException e) {
      return e.getStatus();
    }
    throw new AssertionError("the upgrade was accepted");
  }

  @Test
  void ownAddressesReceiveTheirPushes() throws Exception {
    User alice = signup();
    BridgeSocket socket = connect(alice.token()).listen("user." + alice.id() + ".portfolios");

    HttpResponse<Buffer> opened = http.post("/api/portfolios").bearerTokenAuthentication(alice.token())
      .sendJsonObject(new JsonObject().put("name", "growth")).await();
    assertThat(opened.statusCode()).as(opened.bodyAsString()).isEqualTo(201);
    String portfolioId = opened.bodyAsJsonObject().getString("portfolioId");

    // the push follows the read side's commit, which a loaded machine (or a long transaction elsewhere on the
    // same PostgreSQL, holding back the commit-safe tail) can delay well beyond the usual second
    JsonObject push = socket.awaitMessage("user." + alice.id() + ".portfolios", "portfolioId", portfolioId, 60);
    assertThat(push.getJsonObject("body").getString("event")).isEqualTo("changed");
    socket.ws.close().await();
  }

  @Test
  void quotesReachAnyAuthenticatedUser() throws Exception {
    BridgeSocket socket = connect(signup().token());
    socket.write("register", "quotes." + SYMBOL);
    JsonObject tick = socket.awaitMessage("quotes." + SYMBOL, "symbol", SYMBOL);
    assertThat(tick.getJsonObject("body").getString("last")).matches("\\d+\\.\\d+");
    socket.ws.close().await();
  }

  @Test
  void anotherUsersAddressIsRefusedAndItsMessagesNeverArrive() throws Exception {
    User alice = signup();
    User bob = signup();
    String alicePortfolios = "user." + alice.id() + ".portfolios";
    BridgeSocket aliceSocket = connect(alice.token()).listen(alicePortfolios);
    BridgeSocket bobSocket = connect(bob.token()).listen("user." + bob.id() + ".portfolios");
    double refusalsBefore = refusals("register");

    bobSocket.write("register", alicePortfolios);
    assertThat(bobSocket.next(5000)).isEqualTo(new JsonObject().put("type", "err").put("body", "rejected"));
    assertThat(refusals("register")).isEqualTo(refusalsBefore + 1);

    // a message to alice: it reaches her socket, and bob's (still open) socket gets nothing meanwhile
    String secret = UUID.randomUUID().toString();
    node.vertx().eventBus().publish(alicePortfolios, new JsonObject().put("portfolioId", secret));
    aliceSocket.awaitMessage(alicePortfolios, "portfolioId", secret);
    assertThat(bobSocket.next(500)).isNull();
    assertThat(bobSocket.closed).isNotDone();

    // nor to her addresses in another shape
    bobSocket.write("register", "user." + alice.id() + ".portfolios.x");
    assertThat(bobSocket.next(5000).getString("body")).isEqualTo("rejected");
    aliceSocket.ws.close().await();
    bobSocket.ws.close().await();
  }

  @Test
  void browsersCannotSendOrPublish() throws Exception {
    BridgeSocket socket = connect(signup().token());
    socket.write("send", "quotes.latest");
    assertThat(socket.next(5000)).isEqualTo(new JsonObject().put("type", "err").put("body", "rejected"));
    socket.write("publish", "quotes." + SYMBOL);
    assertThat(socket.next(5000)).isEqualTo(new JsonObject().put("type", "err").put("body", "rejected"));
    socket.ws.close().await();
  }

  @Test
  void repeatedViolationsCloseTheSocket() throws Exception {
    User alice = signup();
    BridgeSocket socket = connect(alice.token());
    socket.write("register", "quotes.latest");
    assertThat(socket.next(5000).getString("type")).isEqualTo("err");
    socket.write("send", "accounts.signup");
    assertThat(socket.next(5000).getString("type")).isEqualTo("err");
    // two refusals: the socket still works
    socket.listen("user." + alice.id() + ".orders");
    assertThat(socket.closed).isNotDone();

    socket.write("register", "platform.node-info");
    assertThat(socket.next(5000).getString("type")).isEqualTo("err");
    assertThat(socket.closed.get(5, TimeUnit.SECONDS)).isEqualTo(EventBusBridge.POLICY_VIOLATION);
  }

  @Test
  void aFrameOverTheLimitClosesTheSocket() throws Exception {
    BridgeSocket socket = connect(signup().token());
    socket.ws.writeTextMessage(new JsonObject().put("type", "ping").put("pad", "x".repeat(70_000)).encode());
    assertThat(socket.closed.get(5, TimeUnit.SECONDS)).isEqualTo(EventBusBridge.POLICY_VIOLATION);
  }

  @Test
  void aSocketClosesWhenItsTokenExpires() throws Exception {
    User alice = signup();
    long exp = Instant.now().getEpochSecond() + 4;
    BridgeSocket socket = connect(token(alice.id(), exp));
    socket.listen("user." + alice.id() + ".savings");
    assertThat(socket.closed.get(10, TimeUnit.SECONDS)).isEqualTo(EventBusBridge.POLICY_VIOLATION);
  }

  @Test
  void withoutAValidTokenTheUpgradeIsRefused() {
    User alice = signup();
    long now = Instant.now().getEpochSecond();
    String valid = token(alice.id(), now + 600);
    String[] parts = valid.split("\\.");

    // the minted token is right: the refusals below are for what is wrong with each variant
    connect(valid).ws.close().await();
    assertThat(upgradeStatus(at("/eventbus/websocket"))).isEqualTo(401);
    assertThat(upgradeStatus(at("/eventbus/websocket?token="))).isEqualTo(401);
    assertThat(upgradeStatus(at("/eventbus/websocket?token=" + encode(token(alice.id(), now - 60))))).isEqualTo(401);
    String tampered = parts[0] + "." + b64(claims(signup().id(), now + 600).encode()) + "." + parts[2];
    assertThat(upgradeStatus(at("/eventbus/websocket?token=" + encode(tampered)))).isEqualTo(401);
    String none = b64(new JsonObject().put("alg", "none").put("typ", "JWT").encode()) + "." + parts[1] + ".";
    assertThat(upgradeStatus(at("/eventbus/websocket?token=" + encode(none)))).isEqualTo(401);
    String foreignKey = sign(parts[0] + "." + parts[1], "another-secret-of-at-least-32-characters");
    assertThat(upgradeStatus(at("/eventbus/websocket?token=" + encode(foreignKey)))).isEqualTo(401);

    // the header works too, for clients that can set one
    sockets.connect(at("/eventbus/websocket").addHeader("Authorization", "Bearer " + valid)).await().close().await();
  }

  @Test
  void sockJsClientsKeepTheTokenOnInfoAndTransports() throws Exception {
    User alice = signup();
    HttpResponse<Buffer> info = http.get("/eventbus/info?token=" + encode(alice.token())).send().await();
    assertThat(info.statusCode()).isEqualTo(200);
    assertThat(info.bodyAsJsonObject().getBoolean("websocket")).isTrue();
    HttpResponse<Buffer> refused = http.get("/eventbus/info").send().await();
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.getHeader("Content-Type")).isEqualTo("application/problem+json");
    assertThat(xhr.post("/eventbus/000/" + UUID.randomUUID() + "/xhr").send().await().statusCode()).isEqualTo(401);
    assertThat(upgradeStatus(at("/eventbus/000/" + UUID.randomUUID() + "/websocket"))).isEqualTo(401);

    // SockJS framing: "o" opens, messages travel as JSON arrays of strings, the server's prefixed with "a"
    BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    ClientWebSocket ws = sockets.webSocket();
    ws.textMessageHandler(frames::add); // before connecting: "o" comes at once
    ws.connect(at("/eventbus/000/" + UUID.randomUUID() + "/websocket?token=" + encode(alice.token()))).await();
    assertThat(frames.poll(5, TimeUnit.SECONDS)).isEqualTo("o");
    ws.writeTextMessage(new JsonArray().add(new JsonObject().put("type", "register").put("address", "quotes." + SYMBOL)
      .encode()).encode()).await();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    JsonObject tick = null;
    while (tick == null && System.nanoTime() < deadline) {
      String frame = frames.poll(100, TimeUnit.MILLISECONDS);
      if (frame != null && frame.startsWith("a")) {
        tick = new JsonObject(new JsonArray(frame.substring(1)).getString(0));
      }
    }
    assertThat(tick).isNotNull();
    assertThat(tick.getString("address")).isEqualTo("quotes." + SYMBOL);
    ws.close().await();
  }

  @Test
  void aSockJsSessionBelongsToTheUserWhoOpenedIt() {
    User alice = signup();
    User bob = signup();
    String session = "/eventbus/000/" + UUID.randomUUID().toString().substring(0, 8);
    HttpResponse<Buffer> opened = xhr.post(session + "/xhr?token=" + encode(alice.token())).send().await();
    assertThat(opened.statusCode()).isEqualTo(200);
    assertThat(opened.bodyAsString()).isEqualTo("o\n");

    // bob's valid token neither polls alice's session (her pushes) nor sends into it (registering as her)
    assertThat(xhr.post(session + "/xhr?token=" + encode(bob.token())).send().await().statusCode()).isEqualTo(403);
    String register = new JsonArray().add(new JsonObject().put("type", "register")
      .put("address", "user." + alice.id() + ".orders").encode()).encode();
    HttpResponse<Buffer> sent = xhr.post(session + "/xhr_send?token=" + encode(bob.token()))
      .sendBuffer(Buffer.buffer(register)).await();
    assertThat(sent.statusCode()).isEqualTo(403);

    // alice goes on using it
    assertThat(xhr.post(session + "/xhr_send?token=" + encode(alice.token())).sendBuffer(Buffer.buffer(register))
      .await().statusCode()).isEqualTo(204);
  }

  /** The bridge's refusals of {@code type} so far, from the node's Prometheus registry. */
  static double refusals(String type) {
    var counter = node.engine().registry().find("trader.bridge.refusals").tag("type", type).counter();
    return counter == null ? 0 : counter.count();
  }

  static JsonObject claims(String userId, long exp) {
    return new JsonObject().put("sub", userId).put("username", "someone").put("iss", UserTokens.ISSUER)
      .put("aud", UserTokens.AUDIENCE).put("iat", exp - 3600).put("exp", exp);
  }

  /** A token as the node would issue it (same key, issuer, audience), expiring at {@code exp}. */
  static String token(String userId, long exp) {
    String unsigned = b64(new JsonObject().put("alg", "HS256").put("typ", "JWT").encode()) + "."
      + b64(claims(userId, exp).encode());
    return sign(unsigned, SECRET);
  }

  static String sign(String unsigned, String key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return unsigned + "." + Base64.getUrlEncoder().withoutPadding()
        .encodeToString(mac.doFinal(unsigned.getBytes(StandardCharsets.US_ASCII)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String b64(String json) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
