package trader.security;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import trader.testing.RawHttp;
import trader.testing.RawHttp.Answer;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A SockJS client over HTTP on plain sockets ({@link RawHttp}), so that every path goes out exactly as written:
 * receiving requests (xhr, xhr_streaming, eventsource), sends (xhr_send) and the frames of their answers.
 */
final class SockJsHttp {

  /** The HTTP transports that receive, as their path segment names them. */
  static final List<String> RECEIVING = List.of("xhr", "xhr_streaming", "eventsource");

  private SockJsHttp() {
  }

  /** {@code ?token=...} for a user's token. */
  static String query(String token) {
    return "?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
  }

  /** A receiving request on {@code transport} at {@code target}, read until answered or {@code readMillis} passed. */
  static Answer receive(int port, String transport, String target, long readMillis) {
    return RawHttp.exchange(port, transport.equals("eventsource") ? "GET" : "POST", target,
      transport.equals("eventsource") ? null : "", readMillis);
  }

  /** The same, in the background (a thread of its own): for a stream held open while the test does other things. */
  static CompletableFuture<Answer> receiveLater(int port, String transport, String target, long readMillis) {
    return CompletableFuture.supplyAsync(() -> receive(port, transport, target, readMillis),
      task -> Thread.ofVirtual().name("sockjs-" + transport).start(task));
  }

  /** An {@code xhr_send} of bridge messages at {@code target}. */
  static Answer send(int port, String target, JsonObject... messages) {
    JsonArray frame = new JsonArray();
    for (JsonObject message : messages) {
      frame.add(message.encode());
    }
    return RawHttp.exchange(port, "POST", target, frame.encode(), 5000);
  }

  static JsonObject register(String address) {
    return new JsonObject().put("type", "register").put("address", address);
  }

  static JsonObject ping() {
    return new JsonObject().put("type", "ping");
  }

  /**
   * The SockJS frames of a receiving answer: lines for xhr and xhr_streaming (without the streaming prelude of
   * {@code h}s), {@code data:} events for eventsource.
   */
  static List<String> frames(String transport, Answer answer) {
    List<String> frames = new ArrayList<>();
    if (answer.status() != 200) {
      return frames;
    }
    for (String line : answer.body().split(transport.equals("eventsource") ? "\r\n" : "\n")) {
      if (transport.equals("eventsource")) {
        if (line.startsWith("data: ")) {
          frames.add(line.substring(6));
        }
      } else if (!line.isEmpty() && !(line.length() > 1000 && line.chars().allMatch(c -> c == 'h'))) {
        frames.add(line);
      }
    }
    return frames;
  }

  /** The bridge messages in an {@code a[...]} frame (none for other frames). */
  static List<JsonObject> messages(String frame) {
    List<JsonObject> messages = new ArrayList<>();
    if (frame.startsWith("a")) {
      new JsonArray(frame.substring(1)).forEach(m -> messages.add(new JsonObject((String) m)));
    }
    return messages;
  }
}
