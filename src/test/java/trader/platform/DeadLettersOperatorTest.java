package trader.platform;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.testing.ApiNode;
import trader.testing.TestDatabase;
import trader.testing.TestInfra;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What operators see and do of dead letters on a whole node: a poison message on a topic a context consumes shows in
 * {@code /metrics}, in the admin API and in {@code trader dead-letters list}, with its reason and payload; the later
 * messages of its key wait behind it; a discard (API) or a re-drive (command line) lets them go on.
 */
class DeadLettersOperatorTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase();

  static final String ADMIN = "operators-token-0123456789abcdef";
  static ApiNode node;
  static KafkaProducer<String, String> producer;

  @BeforeAll
  static void start() {
    node = ApiNode.start(db, Map.of("admin.token", ADMIN, "topics.max-attempts", 2));
    producer = new KafkaProducer<>(Map.of("bootstrap.servers", TestInfra.kafkaBootstrap()), new StringSerializer(),
      new StringSerializer());
  }

  @AfterAll
  static void stop() {
    producer.close();
    node.close();
  }

  private static void send(String key, String value) throws Exception {
    producer.send(new ProducerRecord<>(db.name() + ".portfolio.orders", key, value)).get();
  }

  private static JsonArray letters(String query) {
    HttpResponse<Buffer> r = node.http().get("/api/admin/dead-letters" + query).putHeader("X-Admin-Token", ADMIN)
      .send().await();
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject().getJsonArray("deadLetters");
  }

  /** A cancel request for an order the broker never saw, of a portfolio that does not exist: it just cancels. */
  private static String cancel(String orderId) {
    return new JsonObject().put("type", "portfolio.order-cancel-requested").put("schemaVersion", 1)
      .put("eventId", java.util.UUID.randomUUID().toString()).put("streamId", "portfolio|p-ops").put("version", 9)
      .put("payload", new JsonObject().put("orderId", orderId).put("portfolioId", "p-ops")
        .put("reason", "cancelled by the trader")).encode();
  }

  @Test
  void aPoisonMessageIsShownHeldBackAndLetGo() throws Exception {
    send("portfolio|p-ops", "{\"type\": \"portfolio.order-placed\", \"eventId\": \"e1\", \"payload\": {\"oops\": 1}}");
    send("portfolio|p-ops", cancel("o-behind"));

    until(() -> letters("?key=portfolio%7Cp-ops").size() == 2);
    JsonArray open = letters("?subscriber=" + db.name() + ".broker");
    JsonObject waiting = open.getJsonObject(0);
    JsonObject dead = open.getJsonObject(1);
    assertThat(dead.getString("status")).isEqualTo("dead");
    assertThat(dead.getString("reason")).startsWith("handler failed 2 times: ");
    assertThat(dead.getString("topic")).isEqualTo(db.name() + ".portfolio.orders");
    assertThat(dead.getJsonObject("payload").getJsonObject("payload").getInteger("oops")).isEqualTo(1);
    assertThat(waiting.getString("status")).isEqualTo("waiting");
    assertThat(waiting.getJsonObject("payload").getJsonObject("payload").getString("orderId"))
      .isEqualTo("o-behind");
    until(() -> metrics().contains("trader_dead_letters_open{") && openInMetrics() == 2.0);

    // the command line sees the same
    Run listed = run("dead-letters", "list", "--key", "portfolio|p-ops");
    assertThat(listed.exit()).isZero();
    assertThat(listed.out()).contains("dead").contains("waiting").contains("handler failed 2 times");
    Run outOfOrder = run("dead-letters", "redrive", "--id", String.valueOf(waiting.getLong("id")));
    assertThat(outOfOrder.exit()).isEqualTo(1);
    assertThat(outOfOrder.err()).contains("waits behind dead letter " + dead.getLong("id"));

    // discarding the poison lets the cancel behind it go on
    HttpResponse<Buffer> discard = node.http().post("/api/admin/dead-letters/" + dead.getLong("id") + "/discard")
      .putHeader("X-Admin-Token", ADMIN).send().await();
    assertThat(discard.statusCode()).as(discard.bodyAsString()).isEqualTo(202);
    until(() -> letters("?key=portfolio%7Cp-ops").isEmpty());
    assertThat(letters("?key=portfolio%7Cp-ops&all=true").stream().map(o -> ((JsonObject) o).getString("status")))
      .containsExactlyInAnyOrder("done", "discarded");
    until(() -> node.node().engine().journal().read("order|o-behind", 1).await().size() == 1);
    until(() -> openInMetrics() == 0.0);

    // a key re-driven whole from the command line: the message is still refused, so it is dead again
    send("portfolio|p-ops2", "not json at all");
    until(() -> letters("?key=portfolio%7Cp-ops2").size() == 1);
    Run redrive = run("dead-letters", "redrive", "--subscriber", db.name() + ".broker", "--key", "portfolio|p-ops2");
    assertThat(redrive.exit()).as(redrive.err()).isZero();
    until(() -> letters("?key=portfolio%7Cp-ops2").getJsonObject(0).getInteger("attempts") == 0
      && letters("?key=portfolio%7Cp-ops2").getJsonObject(0).getString("requested") == null);
    assertThat(letters("?key=portfolio%7Cp-ops2").getJsonObject(0).getString("status")).isEqualTo("dead");
    assertThat(letters("?key=portfolio%7Cp-ops2").getJsonObject(0).getString("payload")).isEqualTo("not json at all");
  }

  @Test
  void theAdminApiRefusesWithoutTheTokenAndAnswersUnknownIds() {
    assertThat(node.http().get("/api/admin/dead-letters").send().await().statusCode()).isEqualTo(401);
    assertThat(node.http().post("/api/admin/dead-letters/999999/redrive").putHeader("X-Admin-Token", ADMIN).send()
      .await().statusCode()).isEqualTo(404);
    assertThat(node.http().post("/api/admin/dead-letters/1/explode").putHeader("X-Admin-Token", ADMIN).send()
      .await().statusCode()).isEqualTo(400);
  }

  private static String metrics() {
    return node.http().get("/metrics").putHeader("X-Admin-Token", ADMIN).send().await().bodyAsString();
  }

  private static double openInMetrics() {
    return metrics().lines().filter(l -> l.startsWith("trader_dead_letters_open{") && l.contains("portfolio.orders"))
      .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  record Run(int exit, String out, String err) {
  }

  private static Run run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
    System.setProperty("trader.pg.url", db.url());
    try {
      int exit = MainAccess.execute(args);
      return new Run(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.clearProperty("trader.pg.url");
      System.setOut(out);
      System.setErr(err);
    }
  }

  private static void until(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 60 s");
      }
      Thread.sleep(100);
    }
  }
}
