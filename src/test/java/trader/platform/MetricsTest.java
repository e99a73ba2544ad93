package trader.platform;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.testing.ApiNode;
import trader.testing.NodeProcess;
import trader.testing.TestDatabase;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The metrics that docker/'s dashboard and alert rules use exist on {@code /metrics} of a whole node, with values
 * that follow what the node did: entity commands by type and outcome, consumer-group lag, HTTP latency buckets per
 * route, event-loop delay and projection lag.
 */
class MetricsTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase(false);

  static ApiNode node;
  static WebClient http;
  /** Prometheus's view: the management port, as docker/prometheus/prometheus.yml scrapes it. */
  static WebClient prometheus;

  @BeforeAll
  static void start() {
    int managementPort = NodeProcess.freePort();
    node = ApiNode.start(db, Map.of("node.name", "metrics-node", "management.port", managementPort));
    http = node.http();
    prometheus = WebClient.create(node.client(), new WebClientOptions().setDefaultHost("127.0.0.1")
      .setDefaultPort(managementPort));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void operationsMetricsFollowWhatTheNodeDid() throws InterruptedException, IOException {
    JsonObject credentials = new JsonObject().put("username", "metrics-alice").put("password", "correct horse battery");
    HttpResponse<Buffer> signup = http.post("/api/auth/signup").sendJsonObject(credentials).await();
    assertThat(signup.statusCode()).as(signup.bodyAsString()).isEqualTo(201);
    assertThat(http.post("/api/auth/signup").sendJsonObject(credentials).await().statusCode()).isEqualTo(409);
    String token = signup.bodyAsJsonObject().getString("token");
    HttpResponse<Buffer> opened = http.post("/api/portfolios").bearerTokenAuthentication(token)
      .sendJsonObject(new JsonObject().put("name", "Metrics")).await();
    assertThat(opened.statusCode()).as(opened.bodyAsString()).isEqualTo(201);
    String portfolio = opened.bodyAsJsonObject().getString("portfolioId");
    HttpResponse<Buffer> transfer = http.post("/api/transfers").bearerTokenAuthentication(token)
      .sendJsonObject(new JsonObject().put("from", new JsonObject().put("kind", "savings"))
        .put("to", new JsonObject().put("kind", "portfolio").put("id", portfolio)).put("amount", "10.00")).await();
    assertThat(transfer.statusCode()).as(transfer.bodyAsString()).isEqualTo(202);
    String transferId = transfer.bodyAsJsonObject().getString("transferId");
    awaitTrue(() -> "COMPLETED".equals(http.get("/api/transfers/" + transferId).bearerTokenAuthentication(token)
      .send().await().bodyAsJsonObject().getString("status")), "transfer completed");

    String prefix = node.node().settings().string("kafka.topic-prefix");
    String stepsLag = "kafka_consumer_lag{group=\"" + prefix + "portfolio\",node=\"metrics-node\",topic=\""
      + prefix + "wiretransfer.commands\"}";
    // Micrometer registers the GC pause timer on the JVM's first collection, which a quiet test JVM may not have had
    System.gc();
    String metrics = awaitMetrics(text -> value(text, stepsLag).orElse(-1) == 0
      && text.contains("jvm_gc_pause_seconds_sum"));

    // the signup's User registration accepted once, refused the second time; both timed with buckets
    assertThat(value(metrics, "entity_commands_seconds_count{", "type=\"user\"", "outcome=\"accepted\""))
      .hasValue(1);
    assertThat(value(metrics, "entity_commands_seconds_count{", "type=\"user\"", "outcome=\"rejected\""))
      .hasValue(1);
    assertThat(value(metrics, "entity_commands_seconds_bucket{", "type=\"user\"", "outcome=\"accepted\"",
      "le=\"10.0\"")).hasValue(1);
    assertThat(value(metrics, "entity_active{").orElseThrow()).isGreaterThanOrEqualTo(2);
    // the transfer's step was consumed and committed by the portfolio context's group: lag 0 for that topic
    assertThat(value(metrics, stepsLag)).hasValue(0);
    assertThat(value(metrics, "vertx_http_server_response_time_seconds_bucket{", "route=\"/api/auth/signup\"",
      "code=\"201\"", "le=\"+Inf\"")).hasValue(1);
    assertThat(value(metrics, "vertx_eventloop_delay_seconds_count{").orElseThrow()).isGreaterThan(0);
    assertThat(value(metrics, "projection_lag_events{", "projection=\"transfer_views\"")).isPresent();

    // every metric that docker/'s alert rules and dashboard query exists under that name
    for (String file : List.of("docker/prometheus/alerts.yml", "docker/grafana/dashboards/trader.json")) {
      Set<String> used = METRIC_NAME.matcher(Files.readString(Path.of(file))).results().map(MatchResult::group)
        .collect(Collectors.toCollection(TreeSet::new));
      assertThat(used).as(file).contains("entity_commands_seconds_bucket", "projection_lag_ms", "kafka_consumer_lag");
      Set<String> exported = metrics.lines().filter(l -> !l.startsWith("#")).map(l -> l.split("[{ ]", 2)[0])
        .collect(Collectors.toSet());
      assertThat(exported).as("metrics queried in " + file).containsAll(used);
    }
  }

  /** Names of this product's metrics in PromQL text (label names such as pool_type do not start like these). */
  private static final Pattern METRIC_NAME =
    Pattern.compile("\\b(?:entity|projection|kafka|vertx|jvm|process)_[a-z0-9_]+\\b(?![=~!])");

  /** Scrapes {@code /metrics} until {@code done} holds for its text, or fails with the last text at the deadline. */
  private static String awaitMetrics(Predicate<String> done) throws InterruptedException {
    String[] text = {""};
    awaitTrue(() -> done.test(text[0] = prometheus.get("/metrics").send().await().bodyAsString()),
      "metrics as expected");
    return text[0];
  }

  private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 40 s: " + what);
      }
      Thread.sleep(250);
    }
  }

  /** The value of the one sample whose line starts with {@code start} and contains every one of {@code parts}. */
  private static OptionalDouble value(String text, String start, String... parts) {
    return text.lines().filter(l -> l.startsWith(start) && Arrays.stream(parts).allMatch(l::contains))
      .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).reduce((a, b) -> {
        throw new AssertionError("more than one sample matches " + start + " " + Arrays.toString(parts));
      });
  }
}
