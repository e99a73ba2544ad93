package trader.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import trader.platform.BoundedContext;
import trader.platform.Contexts;
import trader.platform.Node;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A whole node (every context) in the test's JVM, with a separate Vert.x instance as its client and a
 * {@link WebClient} pointed at its HTTP port; {@link #close()} stops both.
 */
public final class ApiNode implements AutoCloseable {

  private final Node node;
  private final Vertx client;
  private final WebClient http;

  private ApiNode(Node node) {
    this.node = node;
    this.client = Vertx.vertx();
    this.http = WebClient.create(client, new WebClientOptions().setDefaultHost("127.0.0.1")
      .setDefaultPort(node.httpPort()));
  }

  /** Boots a node on {@code db} with {@link TestNodes#settings} and {@code overrides}. */
  public static ApiNode start(TestDatabase db, Map<String, ?> overrides) {
    return start(db, overrides, List.of());
  }

  /** The same, running {@code extra} contexts (a test's own routes) after the product's. */
  public static ApiNode start(TestDatabase db, Map<String, ?> overrides, List<BoundedContext> extra) {
    List<BoundedContext> contexts = new ArrayList<>(Contexts.all());
    contexts.addAll(extra);
    return new ApiNode(Node.start(TestNodes.settings(db, overrides), contexts));
  }

  /** A user as signup answered: their id and token. */
  public record User(String id, String token) {
  }

  /** Signs up a new user with a random name (201 expected). */
  public User signup() {
    HttpResponse<Buffer> r = http.post("/api/auth/signup").sendJsonObject(new JsonObject()
      .put("username", "user-" + UUID.randomUUID().toString().substring(0, 8))
      .put("password", "correct horse battery")).await();
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    return new User(r.bodyAsJsonObject().getString("userId"), r.bodyAsJsonObject().getString("token"));
  }

  public Node node() {
    return node;
  }

  /** The client side's Vert.x, for other clients (e.g. WebSockets). */
  public Vertx client() {
    return client;
  }

  public WebClient http() {
    return http;
  }

  @Override
  public void close() {
    client.close().await();
    node.close();
  }
}
