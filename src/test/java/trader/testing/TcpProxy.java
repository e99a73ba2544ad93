package trader.testing;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy in front of a local port that a test can cut and restore: {@link #drop()} closes the listening socket
 * and every connection through it (what a network outage or a restarted load balancer does to a browser), and
 * {@link #resume()} listens again on the same port.
 */
public final class TcpProxy implements AutoCloseable {

  private final Vertx vertx;
  private final int port;
  private final int target;
  private final NetClient client;
  private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
  private NetServer server;

  private TcpProxy(Vertx vertx, int port, int target) {
    this.vertx = vertx;
    this.port = port;
    this.target = target;
    this.client = vertx.createNetClient();
  }

  /** A proxy on a free port forwarding to {@code 127.0.0.1:target}, listening. */
  public static TcpProxy to(Vertx vertx, int target) {
    TcpProxy proxy = new TcpProxy(vertx, NodeProcess.freePort(), target);
    proxy.resume();
    return proxy;
  }

  public int port() {
    return port;
  }

  /** Listens (again) and forwards each new connection to the target. */
  public synchronized void resume() {
    if (server != null) {
      return;
    }
    server = vertx.createNetServer().connectHandler(front -> {
      front.pause();
      sockets.add(front);
      client.connect(target, "127.0.0.1").onSuccess(back -> {
        sockets.add(back);
        front.pipeTo(back);
        back.pipeTo(front);
        front.closeHandler(v -> close(back));
        back.closeHandler(v -> close(front));
        front.resume();
      }).onFailure(e -> close(front));
    });
    server.listen(port, "127.0.0.1").await();
  }

  /** Stops listening and closes every connection through the proxy. */
  public synchronized void drop() {
    if (server == null) {
      return;
    }
    server.close().await();
    server = null;
    sockets.forEach(TcpProxy::close);
  }

  private static void close(NetSocket socket) {
    socket.close();
  }

  @Override
  public void close() {
    drop();
    client.close().await();
  }
}
