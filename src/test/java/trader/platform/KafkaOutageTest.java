package trader.platform;

import ch.qos.logback.classic.Level;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.testing.ApiNode;
import trader.testing.LogCapture;
import trader.testing.NodeProcess;
import trader.testing.TestDatabase;
import trader.testing.TestInfra;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static trader.testing.Eventually.until;

/**
 * A Kafka outage on a whole node, against a broker of the test's own that it stops: the node stays ready (the health
 * body and {@code trader_kafka_reachable} say Kafka is down), commands are still taken and journaled, and what they
 * start between contexts (a transfer, an order and its cancel) finishes once Kafka is back; nothing logs an ERROR.
 */
class KafkaOutageTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase();

  static final String ADMIN = "kafka-outage-admin-token-0123456789";
  static NodeProcess kafka;
  static int kafkaPort;
  static ApiNode node;
  static ApiNode.User user;

  @BeforeAll
  static void start() {
    Path dir = TestInfra.dir("kafka-outage-" + UUID.randomUUID());
    kafkaPort = NodeProcess.freePort();
    kafka = NodeProcess.create("outage-kafka", Map.of(), "kafka", "--data-dir", dir.resolve("kafka").toString(),
      "--port", String.valueOf(kafkaPort)).start();
    NodeProcess.awaitPort(kafkaPort, Duration.ofSeconds(90));
    node = ApiNode.start(db, Map.of("kafka.bootstrap-servers", "127.0.0.1:" + kafkaPort, "admin.token", ADMIN));
    user = node.signup();
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
    kafka.close();
  }

  @Test
  void aNodeWithoutKafkaStaysReadyTakesCommandsAndFinishesThemWhenKafkaIsBack() {
    String portfolioId = send(post("/api/portfolios"), new JsonObject().put("name", "outage")).getString("portfolioId");
    String funding = transfer(portfolioId, "100.00");
    until(() -> "COMPLETED".equals(get("/api/transfers/" + funding).getString("status")), Duration.ofSeconds(60));

    LogCapture logs = LogCapture.start(Map.of());
    kafka.stop(Duration.ofSeconds(60));
    until(() -> metric("trader_kafka_reachable").equals("0.0"), Duration.ofSeconds(30));
    HttpResponse<Buffer> ready = node.http().get("/health/ready").send().await();
    assertThat(ready.statusCode()).as(ready.bodyAsString()).isEqualTo(200);
    JsonObject kafkaCheck = ready.bodyAsJsonObject().getJsonArray("checks").stream().map(JsonObject.class::cast)
      .filter(c -> c.getString("id").equals("kafka")).findFirst().orElseThrow();
    assertThat(kafkaCheck.getJsonObject("data").getBoolean("reachable")).as(kafkaCheck.encode()).isFalse();
    assertThat(kafkaCheck.getJsonObject("data").getString("impact")).contains("journaled");

    String orderId = send(post("/api/portfolios/" + portfolioId + "/orders"), new JsonObject().put("symbol", "AAPL")
      .put("side", "BUY").put("quantity", 2).put("type", "LIMIT").put("limitPrice", "1.00").put("timeInForce", "GTC"))
      .getString("orderId");
    String back = transfer(portfolioId, "25.00");
    // journaled and on the portfolio's read side, which needs no Kafka: the cash is reserved
    until(() -> "2.00".equals(get("/api/portfolios/" + portfolioId).getString("reservedCash")), Duration.ofSeconds(10));
    HttpResponse<Buffer> cancel = withToken(node.http().delete("/api/orders/" + orderId))
      .putHeader("Idempotency-Key", UUID.randomUUID().toString()).send().await();
    assertThat(cancel.statusCode()).as(cancel.bodyAsString()).isEqualTo(202);
    assertThat(get("/api/transfers/" + back).getString("status")).isNotEqualTo("COMPLETED");

    kafka.start();
    NodeProcess.awaitPort(kafkaPort, Duration.ofSeconds(90));
    until(() -> "CANCELLED".equals(get("/api/orders/" + orderId).getString("status")), Duration.ofSeconds(90));
    until(() -> "COMPLETED".equals(get("/api/transfers/" + back).getString("status")), Duration.ofSeconds(90));
    JsonObject view = get("/api/portfolios/" + portfolioId);
    assertThat(view.getString("cash")).isEqualTo("125.00");
    assertThat(view.getString("reservedCash")).isEqualTo("0.00");
    until(() -> metric("trader_kafka_reachable").equals("1.0"), Duration.ofSeconds(30));
    logs.close();
    // an outage is a WARN per part that notices it, not an ERROR per message that waits
    assertThat(logs.atLeast(Level.ERROR)).as(LogCapture.describe(logs.atLeast(Level.ERROR))).isEmpty();
  }

  private static String transfer(String portfolioId, String amount) {
    return send(post("/api/transfers"), new JsonObject().put("from", new JsonObject().put("kind", "savings"))
      .put("to", new JsonObject().put("kind", "portfolio").put("id", portfolioId)).put("amount", amount))
      .getString("transferId");
  }

  private static HttpRequest<Buffer> post(String path) {
    return withToken(node.http().post(path)).putHeader("Idempotency-Key", UUID.randomUUID().toString());
  }

  private static HttpRequest<Buffer> withToken(HttpRequest<Buffer> request) {
    return request.putHeader("Authorization", "Bearer " + user.token());
  }

  private static JsonObject send(HttpRequest<Buffer> request, JsonObject body) {
    HttpResponse<Buffer> r = request.sendJsonObject(body).await();
    assertThat(r.statusCode()).as(r.bodyAsString()).isIn(201, 202);
    return r.bodyAsJsonObject();
  }

  private static JsonObject get(String path) {
    HttpResponse<Buffer> r = withToken(node.http().get(path)).send().await();
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject();
  }

  /** A gauge's value as {@code /metrics} prints it. */
  private static String metric(String name) {
    String text = node.http().get("/metrics").putHeader("X-Admin-Token", ADMIN).send().await().bodyAsString();
    return text.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{")).findFirst()
      .map(l -> l.substring(l.lastIndexOf(' ') + 1)).orElse("");
  }
}
