package trader.security;

import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import trader.testing.ApiNode;
import trader.testing.ApiNode.User;
import trader.testing.RawHttp;
import trader.testing.RawHttp.Answer;
import trader.testing.TestDatabase;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Alice's SockJS session is hers, whatever the spelling of its path: Bob, with a valid token of his own, never
 * reads her pushes and never registers in her session, over every SockJS transport, with the spellings an
 * independent probe used (an escaped character, {@code /./}, {@code /x/../}, {@code %78hr}, a doubled slash),
 * others (the {@code param0} query parameter SockJS reads the session from, case, trailing slashes, {@code ;},
 * overlong and invalid UTF-8, NUL, encoded dots and slashes) and randomly spelt ones (seeded; the seed is in the
 * failure message). Meanwhile Alice's own session goes on working. A session id that never opens leaves no owner
 * behind; an owner's claim ends with the session.
 */
class BridgeSessionSecurityTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase(false);

  static ApiNode api;
  static int port;
  static WebSocketClient sockets;

  @BeforeAll
  static void start() {
    api = ApiNode.start(db, Map.of());
    port = api.node().httpPort();
    sockets = api.client().createWebSocketClient();
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"xhr", "xhr_streaming", "eventsource"})
  void anotherUserNeverReadsOrRegistersInASessionWhateverItsSpelling(String aliceTransport) throws Exception {
    long seed = Long.getLong("trader.fuzz.seed", System.nanoTime());
    Random random = new Random(seed);
    Alice alice = new Alice(aliceTransport);
    User bob = api.signup();
    List<String> attempts = new ArrayList<>(); // "role target", target with {t} for the role's transport
    for (String spelling : named(alice.server, alice.session)) {
      for (String role : List.of("xhr", "xhr_streaming", "eventsource", "xhr_send")) {
        attempts.add(role + " " + spelling.replace("{hex-t}", hex(role.charAt(0)) + role.substring(1))
          .replace("{t}", role));
      }
    }
    for (int i = 0; i < 120; i++) {
      String role = List.of("xhr", "xhr_streaming", "eventsource", "xhr_send").get(random.nextInt(4));
      attempts.add(role + " " + fuzzed(random, "/eventbus/" + alice.server + "/" + alice.session + "/" + role));
    }
    List<String> secrets = new ArrayList<>();
    for (String attempt : attempts) {
      String role = attempt.substring(0, attempt.indexOf(' '));
      String spelling = attempt.substring(role.length() + 1);
      String secret = UUID.randomUUID().toString();
      secrets.add(secret);
      api.node().vertx().eventBus().publish(alice.portfolios, new JsonObject().put("secret", secret));
      String target = spelling + (spelling.contains("?") ? "&" : "?") + SockJsHttp.query(bob.token()).substring(1);
      String what = "seed " + seed + ": Bob's " + role + " at " + target;
      if (role.equals("xhr_send")) {
        Answer sent = SockJsHttp.send(port, target, SockJsHttp.register(alice.orders));
        assertThat(sent.status()).as(what + " -> " + sent).isGreaterThanOrEqualTo(400);
      } else {
        Answer got = SockJsHttp.receive(port, role, target, 1000);
        assertThat(got.body()).as(what).doesNotContain(secret);
        // refused, or a session of Bob's own, which has nothing to say: never Alice's messages, and never "another
        // connection still open", which is what her session answers a second receiver while she streams
        assertThat(SockJsHttp.frames(role, got)).as(what + " -> " + got)
          .noneMatch(f -> f.startsWith("a") || f.startsWith("c[2010"));
      }
      alice.keepAlive(secret);
    }
    // Alice's session: every push that was hers, and nothing from the address only Bob's sends could have added
    api.node().vertx().eventBus().publish(alice.orders, new JsonObject().put("canary", "registered by Bob"));
    assertThat(alice.received()).as("seed " + seed).containsAll(secrets).doesNotContain("registered by Bob");
  }

  @Test
  void webSocketsAtAnotherUsersSessionPathAreSocketsOfTheirOwn() throws Exception {
    Alice alice = new Alice("xhr");
    User bob = api.signup();
    String path = "/eventbus/" + alice.server + "/" + alice.session + "/websocket" + SockJsHttp.query(bob.token());
    BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    ClientWebSocket ws = sockets.webSocket();
    ws.textMessageHandler(frames::add);
    ws.connect(at(path)).await();
    assertThat(frames.poll(5, TimeUnit.SECONDS)).isEqualTo("o"); // a new socket: Alice's is not joined
    ws.writeTextMessage(new JsonArray().add(SockJsHttp.register(alice.portfolios).encode()).encode()).await();
    String refused = frames.poll(5, TimeUnit.SECONDS);
    assertThat(SockJsHttp.messages(refused)).containsExactly(new JsonObject().put("type", "err").put("body", "rejected"));
    api.node().vertx().eventBus().publish(alice.portfolios, new JsonObject().put("secret", "for alice"));
    alice.keepAlive("for alice");
    assertThat(frames.poll(500, TimeUnit.MILLISECONDS)).isNull();
    ws.close().await();

    // spelt otherwise, the upgrade is refused before anything opens
    for (String spelling : List.of("/eventbus/./websocket", "/eventbus/x/../websocket", "/eventbus/%77ebsocket",
      "/eventbus/" + alice.server + "/" + alice.session + "/%77ebsocket",
      "/eventbus/" + alice.server + "/%" + hex(alice.session.charAt(0)) + alice.session.substring(1) + "/websocket",
      "/eventbus/" + alice.server + "/other/websocket?param0=" + alice.session + "&")) {
      String uri = spelling + (spelling.endsWith("&") ? "" : "?") + SockJsHttp.query(bob.token()).substring(1);
      assertThatThrownBy(() -> sockets.connect(at(uri)).await()).as(uri)
        .isInstanceOfSatisfying(UpgradeRejectedException.class, e -> assertThat(e.getStatus()).isEqualTo(400));
    }
  }

  @Test
  void aSessionIdThatNeverOpensLeavesNoOwnerBehind() {
    User alice = api.signup();
    User bob = api.signup();
    String session = "/eventbus/000/" + newId();
    String token = SockJsHttp.query(alice.token());
    // requests that name the session but open none: wrong method, no upgrade, a send
    assertThat(RawHttp.exchange(port, "GET", session + "/xhr" + token, null, 2000).status()).isEqualTo(405);
    assertThat(RawHttp.exchange(port, "GET", session + "/xhr_streaming" + token, null, 2000).status())
      .isEqualTo(405);
    assertThat(RawHttp.exchange(port, "POST", session + "/eventsource" + token, "", 2000).status()).isEqualTo(405);
    assertThat(RawHttp.exchange(port, "GET", session + "/websocket" + token, null, 2000).status()).isEqualTo(400);
    assertThat(SockJsHttp.send(port, session + "/xhr_send" + token, SockJsHttp.ping()).status()).isEqualTo(404);
    assertThat(RawHttp.exchange(port, "OPTIONS", session + "/xhr" + token, null, 2000).status()).isEqualTo(204);

    assertOpensAsTheirOwn(bob, session); // nothing of Alice's stands in the way
  }

  /** {@code user} polls {@code session} and gets a session of their own: it opens ("o"). */
  static void assertOpensAsTheirOwn(User user, String session) {
    assertThat(SockJsHttp.frames("xhr", SockJsHttp.receive(port, "xhr", session + "/xhr"
      + SockJsHttp.query(user.token()), 5000))).as(session).containsExactly("o");
  }

  @Test
  void theTransportsThatRunScriptFromTheAnswerAreOff() {
    User alice = api.signup();
    User bob = api.signup();
    String session = "/eventbus/000/" + newId();
    String token = SockJsHttp.query(alice.token());
    for (String transport : List.of("htmlfile", "jsonp")) {
      Answer off = RawHttp.exchange(port, "GET", session + "/" + transport + token + "&c=callback", null, 2000);
      assertThat(off.status()).as(transport).isEqualTo(404);
      assertThat(off.body()).as(transport).doesNotContain("callback", "<script");
    }
    assertThat(SockJsHttp.send(port, session + "/jsonp_send" + token, SockJsHttp.ping()).status()).isEqualTo(404);
    assertOpensAsTheirOwn(bob, session); // they opened nothing: the id is free
  }

  @Test
  void anOwnersClaimEndsWithTheSession() throws Exception {
    User alice = api.signup();
    User bob = api.signup();
    // a stream whose client goes away: SockJS ends the session at once
    String streamed = "/eventbus/000/" + newId();
    assertThat(SockJsHttp.frames("xhr_streaming", SockJsHttp.receive(port, "xhr_streaming",
      streamed + "/xhr_streaming" + SockJsHttp.query(alice.token()), 500))).containsExactly("o");
    // a poll that is never followed by another: SockJS's session timeout (5 s) ends it
    String polled = "/eventbus/000/" + newId();
    assertThat(SockJsHttp.frames("xhr", SockJsHttp.receive(port, "xhr", polled + "/xhr"
      + SockJsHttp.query(alice.token()), 5000))).containsExactly("o");
    assertThat(SockJsHttp.receive(port, "xhr", polled + "/xhr" + SockJsHttp.query(bob.token()), 2000).status())
      .isEqualTo(403);

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    for (String session : List.of(streamed, polled)) {
      while (true) {
        Answer bobs = SockJsHttp.receive(port, "xhr", session + "/xhr" + SockJsHttp.query(bob.token()), 5000);
        if (bobs.status() == 200) {
          assertThat(SockJsHttp.frames("xhr", bobs)).as(session).containsExactly("o");
          break;
        }
        assertThat(bobs.status()).isEqualTo(403);
        assertThat(System.nanoTime()).as(session + " released in time").isLessThan(deadline);
        Thread.sleep(250);
      }
    }
  }

  /** The probe's spellings and more, of Alice's session path with {@code {t}} for the transport. */
  static List<String> named(String server, String session) {
    String s = "/eventbus/" + server + "/" + session;
    String escaped = "%" + hex(session.charAt(0)) + session.substring(1);
    return List.of(
      s + "/{t}",                                                   // as it is: refused as Alice's
      "/eventbus/" + server + "/" + escaped + "/{t}",               // an escaped character of the session id
      "/eventbus/" + server + "/" + escaped.toLowerCase() + "/{t}", // ... in lower-case hex
      "/eventbus/%" + hex(server.charAt(0)) + server.substring(1) + "/" + session + "/{t}",
      "/eventbus/./" + server + "/" + session + "/{t}",
      "/eventbus/x/../" + server + "/" + session + "/{t}",
      s + "/./{t}",
      s + "/x/../{t}",
      s + "/%2E/{t}",
      "/eventbus/%2e%2e/eventbus/" + server + "/" + session + "/{t}",
      s + "/%{hex-t}",                                              // an escaped character of the transport
      "//eventbus/" + server + "/" + session + "/{t}",
      "/eventbus//" + server + "/" + session + "/{t}",
      s + "//{t}",
      s + "/{t}/",
      s + "/{t};x",
      "/eventbus/" + server + "/" + session + ";x/{t}",
      "/EVENTBUS/" + server + "/" + session + "/{t}",
      "/eventbus/" + server + "/" + session.toUpperCase() + "/{t}", // another session: Bob's own
      "/eventbus/" + server + "/" + newId() + "/{t}?param0=" + session,
      "/eventbus/" + server + "/" + newId() + "/{t}?PARAM0=" + session,
      "/eventbus/" + server + "/" + newId() + "/{t}?x=1;param0=" + session,
      "/eventbus/" + server + "%2F" + session + "/{t}",
      "/eventbus/" + server + "%C0%AF" + session + "/{t}",          // overlong UTF-8 for '/'
      s + "%C0%AE/{t}",                                             // overlong UTF-8 for '.'
      s + "%FF/{t}",                                                // not UTF-8 at all
      s + "%00/{t}",
      s + "%/{t}",
      s + "%2/{t}",
      s + "%%/{t}",
      "/eventbus\\" + server + "\\" + session + "\\{t}",
      "http://127.0.0.1:" + port + s + "/{t}");                     // absolute form: the same path
  }

  /** {@code path} spelt at random: up to three of the kinds of change {@link #named} makes, in any combination. */
  static String fuzzed(Random random, String path) {
    String session = path.split("/")[3];
    for (int changes = 1 + random.nextInt(3); changes > 0; changes--) {
      int at = 1 + random.nextInt(path.length() - 1);
      String head = path.substring(0, at);
      String tail = path.substring(at);
      path = switch (random.nextInt(9)) {
        case 0 -> head + "%" + (random.nextBoolean() ? hex(tail.charAt(0)) : hex(tail.charAt(0)).toLowerCase())
          + tail.substring(1);
        case 1 -> head + "/./" + tail;
        case 2 -> head + "/zz/../" + tail;
        case 3 -> head + "/" + tail;
        case 4 -> head + List.of("%2E", "%2e", "%2F", "%C0%AF", "%C0%AE", "%E0%80%AE", "%FF", "%00", "%", "%G1",
          ";", ";x=1", "\\", "%5C", "~").get(random.nextInt(15)) + tail;
        case 5 -> head.toUpperCase() + tail;
        case 6 -> path + "/";
        case 7 -> path.contains("?") ? path : path + "?param0=" + session;
        default -> "/" + path;
      };
    }
    return path;
  }

  /** Alice: a session on one HTTP transport, registered for her portfolios, kept alive and read by the test. */
  static final class Alice {
    final User user = api.signup();
    final String server = String.valueOf(100 + new Random().nextInt(900));
    final String session = newId();
    final String transport;
    final String portfolios = "user." + user.id() + ".portfolios";
    final String orders = "user." + user.id() + ".orders";
    final List<String> secrets = new ArrayList<>();
    final CompletableFuture<Answer> stream;

    Alice(String transport) throws Exception {
      this.transport = transport;
      if (transport.equals("xhr")) {
        assertThat(SockJsHttp.frames("xhr", SockJsHttp.receive(port, "xhr", path("xhr"), 5000))).containsExactly("o");
        stream = null;
      } else {
        stream = SockJsHttp.receiveLater(port, transport, path(transport), 300_000);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (SockJsHttp.send(port, path("xhr_send"), SockJsHttp.register(portfolios)).status() != 204) {
        assertThat(System.nanoTime()).as("Alice's session open in time").isLessThan(deadline);
        Thread.sleep(20);
      }
      String probe = UUID.randomUUID().toString();
      long timer = api.node().vertx().setPeriodic(1, 100, id -> api.node().vertx().eventBus().publish(portfolios,
        new JsonObject().put("secret", probe)));
      try {
        keepAlive(probe);
      } finally {
        api.node().vertx().cancelTimer(timer);
      }
    }

    String path(String transport) {
      return "/eventbus/" + server + "/" + session + "/" + transport + SockJsHttp.query(user.token());
    }

    /** Pings (the bridge closes a silent socket), and when polling, polls until {@code secret} has come. */
    void keepAlive(String secret) {
      assertThat(SockJsHttp.send(port, path("xhr_send"), SockJsHttp.ping()).status()).as("Alice's ping")
        .isEqualTo(204);
      if (stream != null) {
        return;
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (!secrets.contains(secret)) {
        assertThat(System.nanoTime()).as("Alice got " + secret + " in time").isLessThan(deadline);
        SockJsHttp.frames("xhr", SockJsHttp.receive(port, "xhr", path("xhr"), 15_000)).forEach(this::read);
      }
    }

    private void read(String frame) {
      assertThat(frame).as("Alice's session stays open").doesNotStartWith("c");
      SockJsHttp.messages(frame).stream().filter(m -> "rec".equals(m.getString("type"))).forEach(m -> secrets.add(
        m.getJsonObject("body").getString(m.getJsonObject("body").containsKey("secret") ? "secret" : "canary")));
    }

    /** What Alice's session received: a poll's pushes so far, or her whole stream (which she then ends). */
    List<String> received() throws Exception {
      if (stream == null) {
        String end = UUID.randomUUID().toString();
        api.node().vertx().eventBus().publish(portfolios, new JsonObject().put("secret", end));
        keepAlive(end);
        return secrets;
      }
      // three refused registrations make the bridge close the session, which ends the stream
      for (int i = 0; i < 3; i++) {
        SockJsHttp.send(port, path("xhr_send"), SockJsHttp.register("platform.node-info"));
      }
      List<String> frames = SockJsHttp.frames(transport, stream.get(30, TimeUnit.SECONDS));
      assertThat(frames).first().isEqualTo("o");
      assertThat(frames).as("closed by the bridge at last").contains("c[1008,\"too many refused requests\"]");
      frames.stream().takeWhile(f -> !f.startsWith("c")).forEach(this::read);
      return secrets;
    }
  }

  static WebSocketConnectOptions at(String uri) {
    return new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri);
  }

  static String newId() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  static String hex(char c) {
    return String.format("%02X", (int) c);
  }
}
