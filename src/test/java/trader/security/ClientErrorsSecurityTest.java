package trader.security;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.testing.ApiNode;
import trader.testing.ApiNode.User;
import trader.testing.FailingRoutes;
import trader.testing.LogCapture;
import trader.testing.RawHttp;
import trader.testing.RawHttp.Answer;
import trader.testing.TestDatabase;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No client can make the node log an ERROR: not by going away in the middle of a request, a stream or a
 * WebSocket, not with broken WebSocket frames, malformed SockJS frames or bridge messages, malformed paths, queries
 * or bodies, oversized bodies, frames or headers. A client that goes away is logged at DEBUG. A real server error of
 * ours is still an ERROR, with the id its answer names and the stack trace.
 */
class ClientErrorsSecurityTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase(false);

  static ApiNode api;
  static int port;
  static User user;

  @BeforeAll
  static void start() {
    api = ApiNode.start(db, Map.of("bridge.max-violations", 1000), List.of(new FailingRoutes()));
    port = api.node().httpPort();
    user = api.signup();
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.close();
    }
  }

  @Test
  void clientsThatGoAwayAreLoggedAtDebug() throws Exception {
    try (LogCapture logs = LogCapture.start(Map.of("trader", Level.DEBUG))) {
      for (String path : List.of("/eventbus/websocket", "/eventbus/000/" + id() + "/websocket")) {
        try (Socket socket = RawWebSocket.open(path + SockJsHttp.query(user.token()))) {
          Thread.sleep(200);
          socket.setSoLinger(true, 0); // a reset, as a browser tab that is killed
        }
      }
      try (Socket socket = RawWebSocket.open("/eventbus/websocket" + SockJsHttp.query(user.token()))) {
        Thread.sleep(200); // a close without a close frame
      }
      awaitLogged(logs, "lost its connection", 3);
      assertThat(logs.atLeast(Level.WARN)).as(LogCapture.describe(logs.atLeast(Level.WARN))).isEmpty();
    }
  }

  @Test
  void hostileClientsNeverMakeTheNodeLogAnError() throws Exception {
    try (LogCapture logs = LogCapture.start(Map.of())) {
      String query = SockJsHttp.query(user.token());
      String session = "/eventbus/000/" + id();
      assertThat(SockJsHttp.receive(port, "xhr", session + "/xhr" + query, 5000).status()).isEqualTo(200);

      // HTTP requests cut off: in the body, while a poll or a stream waits, right after the request line
      cutOff("POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000"
        + "\r\n\r\n{\"username\":");
      cutOff("POST " + session + "/xhr_send" + query + " HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n[\"");
      String polled = "/eventbus/000/" + id();
      assertThat(SockJsHttp.receive(port, "xhr", polled + "/xhr" + query, 5000).status()).isEqualTo(200);
      cutOff("POST " + polled + "/xhr" + query + " HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
      cutOff("POST /eventbus/000/" + id() + "/xhr_streaming" + query + " HTTP/1.1\r\nHost: x\r\nContent-Length: 0"
        + "\r\n\r\n");
      cutOff("GET /eventbus/000/" + id() + "/eventsource" + query + " HTTP/1.1\r\nHost: x\r\n\r\n");
      cutOff("GET /api/info HTTP/1.1\r\n");

      // requests that do not parse, or are too large
      for (String request : List.of("GARBAGE\r\n\r\n", "GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /api/info HTTP/1.1\r\nHost: x\r\nX: " + "b".repeat(10_000) + "\r\n\r\n",
        "POST /api/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "GET /api/info HTTP/9.9\r\nHost: x\r\n\r\n")) {
        raw(request);
      }
      for (String path : List.of("/%zz", "/%", "/%00", "/api/%C0%AE%C0%AE/info", "/eventbus/info?token=%zz",
        "/api/info?a=%", "/api/quotes/%E2%82", "/eventbus/000/%FF/xhr" + query)) {
        assertThat(RawHttp.exchange(port, "GET", path, null, 5000).status()).as(path).isEqualTo(400);
      }
      String json = "Content-Type: application/json";
      assertThat(RawHttp.exchange(port, "POST", "/api/auth/login", "a=%zz&b=%", 5000,
        "Content-Type: application/x-www-form-urlencoded").status()).isBetween(400, 499);
      assertThat(RawHttp.exchange(port, "POST", "/api/auth/login", "--x\r\nContent-Disposition: form-data; "
        + "name=\"f\"; filename=\"a\"\r\n\r\nzz\r\n--x--\r\n", 5000, "Content-Type: multipart/form-data; boundary=x")
        .status()).isBetween(400, 499);
      assertThat(RawHttp.exchange(port, "POST", "/api/auth/login", "{\"username\":" + "[".repeat(5000), 5000, json)
        .status()).isBetween(400, 499);
      assertThat(RawHttp.exchange(port, "POST", "/api/auth/login", "x".repeat(200_000), 5000, json).status())
        .isEqualTo(413);

      // SockJS sends the bridge cannot read
      for (String body : List.of("", "not json", "{\"type\":\"ping\"}", "[1]", "[\"not json\"]",
        "[\"{\\\"type\\\":\\\"bogus\\\",\\\"address\\\":\\\"x\\nFAKE LOG LINE\\\"}\"]", "[\"{\\\"type\\\":1}\"]",
        "[\"{\\\"type\\\":\\\"register\\\",\\\"address\\\":5}\"]",
        "[\"{\\\"type\\\":\\\"send\\\",\\\"address\\\":\\\"a\\\",\\\"headers\\\":\\\"h\\\"}\"]")) {
        assertThat(RawHttp.exchange(port, "POST", session + "/xhr_send" + query, body, 5000).status()).as(body)
          .isEqualTo(400);
      }

      // WebSockets: broken frames, malformed messages, oversized messages
      List<String> messages = List.of("not json", "[1]", "{\"type\":\"bogus\",\"address\":\"x\\nFAKE\"}",
        "{\"type\":1}", "{\"type\":\"register\",\"address\":{}}", "{\"type\":\"publish\",\"address\":\"a\","
          + "\"headers\":[1]}", "{\"type\":\"register\",\"address\":\"" + "q".repeat(500) + "\"}");
      for (String path : List.of("/eventbus/websocket", "/eventbus/000/" + id() + "/websocket")) {
        boolean sockJs = !path.equals("/eventbus/websocket");
        try (Socket ws = RawWebSocket.open(path + query)) {
          for (String message : messages) {
            RawWebSocket.send(ws, 0x1, (sockJs ? new JsonArray().add(message).encode() : message)
              .getBytes(StandardCharsets.UTF_8), true);
          }
          if (sockJs) {
            RawWebSocket.send(ws, 0x1, "{not an array".getBytes(StandardCharsets.UTF_8), true);
          }
          RawWebSocket.send(ws, 0x2, new byte[] {(byte) 0xC3, 0x28}, true);
          Thread.sleep(300);
        }
        for (byte[] frame : List.of(RawWebSocket.frame(0x1, "unmasked".getBytes(), false),
          RawWebSocket.frame(0x1, "x".repeat(70_000).getBytes(), true),
          RawWebSocket.frame(0x1, new byte[] {(byte) 0xFF, (byte) 0xFE}, true),
          RawWebSocket.frame(0x0, "continuation without a start".getBytes(), true),
          RawWebSocket.frame(0x9, new byte[200], true),
          RawWebSocket.frame(0x3, "reserved opcode".getBytes(), true))) {
          try (Socket ws = RawWebSocket.open(path + query)) {
            ws.getOutputStream().write(frame);
            Thread.sleep(150);
          }
        }
      }
      assertThat(RawHttp.exchange(port, "GET", "/eventbus/websocket" + query, null, 5000, "Upgrade: websocket",
        "Connection: Upgrade", "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==", "Sec-WebSocket-Version: 99")
        .status()).isBetween(400, 499);

      Thread.sleep(1000); // what is logged after the connections closed
      assertThat(RawHttp.exchange(port, "GET", "/health/live", null, 5000).status()).isEqualTo(200);
      List<ILoggingEvent> errors = logs.atLeast(Level.ERROR);
      assertThat(errors).as(LogCapture.describe(errors)).isEmpty();
      assertThat(logs.atLeast(Level.WARN)).as("client text is never logged as a line of its own")
        .noneMatch(e -> e.getFormattedMessage().contains("\nFAKE"));
    }
  }

  @Test
  void aServerErrorOfOursIsLoggedWithItsId() throws Exception {
    try (LogCapture logs = LogCapture.start(Map.of())) {
      Answer failed = RawHttp.exchange(port, "GET", FailingRoutes.PATH, null, 5000);
      assertThat(failed.status()).isEqualTo(500);
      String id = new JsonObject(failed.body()).getString("detail").replace("Internal error, id ", "");
      assertThat(id).matches("[0-9a-f-]{36}");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (logs.atLeast(Level.ERROR).isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(logs.atLeast(Level.ERROR)).singleElement().satisfies(e -> {
        assertThat(e.getFormattedMessage()).contains(id, FailingRoutes.PATH);
        assertThat(e.getThrowableProxy().getMessage()).isEqualTo("a bug in a handler");
      });
    }
  }

  static String id() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  /** Sends {@code request} and goes away at once, with a reset. */
  static void cutOff(String request) throws IOException, InterruptedException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      Thread.sleep(150);
      socket.setSoLinger(true, 0);
    }
  }

  /** Sends {@code request} as it is and reads what comes back. */
  static void raw(String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(3000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      try {
        socket.getInputStream().readAllBytes();
      } catch (IOException e) {
        // reset or timed out: either is an answer to garbage
      }
    }
  }

  static void awaitLogged(LogCapture logs, String text, int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (logs.of("trader.gateway.BridgeWebSocket", Level.DEBUG).stream()
      .filter(e -> e.getFormattedMessage().contains(text)).count() < count) {
      assertThat(System.nanoTime()).as(count + " times '" + text + "' at DEBUG:\n"
        + LogCapture.describe(logs.atLeast(Level.DEBUG))).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  /** A WebSocket client on a plain socket, to send frames no WebSocket client would. */
  static final class RawWebSocket {

    /** Connects and upgrades; the answer's head (101) has been read. */
    static Socket open(String path) throws IOException {
      Socket socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        .getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("closed during the upgrade: " + head);
        }
        head.write(b);
      }
      assertThat(head.toString(StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 101");
      return socket;
    }

    static void send(Socket socket, int opcode, byte[] payload, boolean masked) throws IOException {
      socket.getOutputStream().write(frame(opcode, payload, masked));
    }

    /** One final frame; masked as a client must, unless {@code masked} is false. */
    static byte[] frame(int opcode, byte[] payload, boolean masked) {
      ByteArrayOutputStream frame = new ByteArrayOutputStream();
      frame.write(0x80 | opcode);
      int mask = masked ? 0x80 : 0;
      if (payload.length < 126) {
        frame.write(mask | payload.length);
      } else if (payload.length < 65536) {
        frame.write(mask | 126);
        frame.write(payload.length >> 8);
        frame.write(payload.length & 0xFF);
      } else {
        frame.write(mask | 127);
        for (int shift = 56; shift >= 0; shift -= 8) {
          frame.write((int) ((long) payload.length >> shift) & 0xFF);
        }
      }
      byte[] key = new byte[4];
      ThreadLocalRandom.current().nextBytes(key);
      if (masked) {
        frame.writeBytes(key);
      }
      for (int i = 0; i < payload.length; i++) {
        frame.write(masked ? payload[i] ^ key[i % 4] : payload[i]);
      }
      return frame.toByteArray();
    }
  }
}
