package trader.testing;

import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import trader.platform.BoundedContext;
import trader.platform.Node;
import trader.platform.Settings;

import java.util.List;

/** A whole node in the test's JVM with an HTTP client of its own pointed at it; closing stops both. */
public record NodeUnderTest(Node node, Vertx client, WebClient http) implements AutoCloseable {

  public static NodeUnderTest start(Settings settings, List<BoundedContext> contexts) {
    Node node = Node.start(settings, contexts);
    Vertx client = Vertx.vertx();
    return new NodeUnderTest(node, client, WebClient.create(client,
      new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(node.httpPort())));
  }

  @Override
  public void close() {
    client.close().await();
    node.close();
  }
}
