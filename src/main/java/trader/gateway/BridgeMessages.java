package trader.gateway;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What a bridge message from a client must look like before vertx-web's bridge reads it: a JSON object whose
 * {@code type} is one the bridge knows and whose {@code address}, {@code replyAddress} and {@code headers}, when
 * present, have the types it reads them as. The bridge logs an unknown type at ERROR (with the client's text in
 * the line) and fails on a mistyped field in the middle of its handling; a message this check refuses never gets
 * there.
 */
final class BridgeMessages {

  private static final Set<String> TYPES = Set.of("ping", "register", "unregister", "send", "publish");

  private BridgeMessages() {
  }

  /**
   * The messages of a SockJS frame from a client: a JSON array of strings, or one JSON string; null for anything
   * else (SockJS's own decoder takes an object or an array of numbers for no messages, or for numbers' text).
   */
  static List<String> sockJsFrame(String frame) {
    Object decoded;
    try {
      decoded = Json.decodeValue(frame);
    } catch (RuntimeException e) {
      return null;
    }
    if (decoded instanceof String message) {
      return List.of(message);
    }
    if (!(decoded instanceof JsonArray array)) {
      return null;
    }
    List<String> messages = new ArrayList<>(array.size());
    for (Object message : array) {
      if (!(message instanceof String text)) {
        return null;
      }
      messages.add(text);
    }
    return messages;
  }

  /** What is wrong with {@code message}, or null when the bridge can read it. */
  static String problem(String message) {
    JsonObject json;
    try {
      json = new JsonObject(message);
    } catch (RuntimeException e) { // DecodeException, or an array or scalar where an object belongs
      return "a bridge message is a JSON object";
    }
    if (!(json.getValue("type") instanceof String type) || !TYPES.contains(type)) {
      return "a bridge message's type is one of " + String.join(", ", TYPES.stream().sorted().toList());
    }
    for (String field : new String[] {"address", "replyAddress"}) {
      if (json.containsKey(field) && !(json.getValue(field) instanceof String)) {
        return "a bridge message's " + field + " is a string";
      }
    }
    if (json.containsKey("headers") && !(json.getValue("headers") instanceof JsonObject)) {
      return "a bridge message's headers are a JSON object";
    }
    return null;
  }
}
