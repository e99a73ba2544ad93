package trader.gateway;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import trader.platform.BusFailures.Refusal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The users' idempotency keys, in PostgreSQL so that every node agrees (the IETF draft "The Idempotency-Key HTTP
 * Header Field"). A key names one command of one user on one target: the first request with it records the
 * operation, the target (the operation's path parameters, whatever the URL's spelling) and a fingerprint of its body,
 * and draws the command's id. A retry with the same key and the same request gets the same command id (the entity
 * then changes nothing twice), or, once the first answer is known, that answer; the same key on another operation,
 * target or body is refused with a 422, and changes nothing. Keys expire after the retention.
 */
final class IdempotencyKeys {

  /** The first request's answer, replayed to its retries. */
  record Answer(int status, String location, JsonObject body) {
  }

  /** What a request with a key may do: run its command under {@code commandId}, or answer {@code answer}. */
  record Claim(String commandId, Answer answer) {
  }

  private final Pool pool;
  private final int retentionHours;

  IdempotencyKeys(Pool pool, int retentionHours) {
    this.pool = pool;
    this.retentionHours = retentionHours;
  }

  /**
   * Claims {@code key} of {@code userId} for the request {@code operation} on {@code target} with {@code body}:
   * a new key gets a new command id; a known one its command id and first answer, or a 422 refusal if it was used
   * for another request.
   */
  Future<Claim> claim(String userId, String key, String operation, String target, JsonObject body) {
    String fingerprint = fingerprint(body);
    String commandId = UUID.randomUUID().toString();
    return pool.preparedQuery("""
        insert into idempotency_keys (user_id, key, operation, target, fingerprint, command_id)
        values ($1, $2, $3, $4, $5, $6) on conflict (user_id, key) do nothing returning command_id""")
      .execute(Tuple.from(new Object[] {userId, key, operation, target, fingerprint, commandId}))
      .compose(inserted -> inserted.size() == 1 ? Future.succeededFuture(new Claim(commandId, null))
        : pool.preparedQuery("select operation, target, fingerprint, command_id, status, location, response "
            + "from idempotency_keys where user_id = $1 and key = $2").execute(Tuple.of(userId, key))
          .compose(rows -> rows.size() == 0
            ? claim(userId, key, operation, target, body) // expired between the two statements
            : known(rows.iterator().next(), key, operation, target, fingerprint)));
  }

  private static Future<Claim> known(Row row, String key, String operation, String target, String fingerprint) {
    if (!row.getString("operation").equals(operation) || !row.getString("target").equals(target)) {
      return Future.failedFuture(new Refusal(422, "Idempotency-Key '" + key + "' was used for another request ("
        + row.getString("operation") + " on " + row.getString("target") + "); choose a new key for each command"));
    }
    if (!row.getString("fingerprint").equals(fingerprint)) {
      return Future.failedFuture(new Refusal(422, "Idempotency-Key '" + key + "' was used for this request with "
        + "another body; choose a new key for each command"));
    }
    Integer status = row.getInteger("status");
    return Future.succeededFuture(new Claim(row.getString("command_id"), status == null ? null
      : new Answer(status, row.getString("location"), (JsonObject) row.getValue("response"))));
  }

  /** Records the first answer of {@code key}; kept for its retries. */
  Future<Void> answered(String userId, String key, Answer answer) {
    return pool.preparedQuery("update idempotency_keys set status = $3, location = $4, response = $5 "
        + "where user_id = $1 and key = $2 and status is null")
      .execute(Tuple.of(userId, key, answer.status(), answer.location(), answer.body())).mapEmpty();
  }

  /** Deletes the keys older than the retention; returns how many. */
  Future<Integer> purge() {
    return pool.preparedQuery("delete from idempotency_keys where created_at < now() - $1 * interval '1 hour'")
      .execute(Tuple.of(retentionHours)).map(rows -> rows.rowCount());
  }

  /** A digest of the body's JSON with its object keys sorted: the same request, however its fields are ordered. */
  static String fingerprint(JsonObject body) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(canonical(body).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String canonical(Object value) {
    if (value instanceof JsonObject object) {
      Map<String, Object> sorted = new TreeMap<>();
      object.forEach(e -> sorted.put(e.getKey(), e.getValue()));
      StringBuilder out = new StringBuilder("{");
      sorted.forEach((k, v) -> out.append(out.length() > 1 ? "," : "").append(JsonArray.of(k).encode())
        .append(':').append(canonical(v)));
      return out.append('}').toString();
    }
    if (value instanceof JsonArray array) {
      StringBuilder out = new StringBuilder("[");
      array.forEach(v -> out.append(out.length() > 1 ? "," : "").append(canonical(v)));
      return out.append(']').toString();
    }
    return JsonArray.of(value).encode(); // a scalar, quoted as JSON does, in brackets: unambiguous
  }
}
