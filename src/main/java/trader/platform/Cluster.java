package trader.platform;

import com.hazelcast.config.Config;
import com.hazelcast.config.InterfacesConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.XmlConfigBuilder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** The Hazelcast cluster manager of a node, from {@code conf/cluster.xml} and the {@code cluster.*} keys. */
public final class Cluster {

  private Cluster() {
  }

  /** Vert.x options of a clustered node: its event bus listens on {@code cluster.host}, the address peers dial. */
  public static VertxOptions vertxOptions(Settings settings) {
    VertxOptions options = nativeTransport();
    options.getEventBusOptions().setHost(settings.string("cluster.host"))
      .setPort(settings.integer("cluster.eventbus-port", 0, 65535));
    return options;
  }

  /**
   * A Vert.x of its own for a tool or benchmark (not clustered), with the node's transport: PostgreSQL over a
   * Unix-domain socket needs epoll.
   */
  public static Vertx localVertx() {
    return Vertx.builder().with(nativeTransport()).build();
  }

  /** Epoll where it is available (Linux x86-64): fewer system calls and wake-ups per message than NIO. */
  private static VertxOptions nativeTransport() {
    return new VertxOptions().setPreferNativeTransport(true);
  }

  /** A clustered Vert.x with this node's cluster settings; for tools and tests (the node adds metrics). */
  public static Future<Vertx> vertx(Settings settings) {
    return Vertx.builder().with(vertxOptions(settings)).withClusterManager(manager(settings)).buildClustered();
  }

  public static HazelcastClusterManager manager(Settings settings) {
    Config config = load(settings.string("cluster.config"));
    String host = settings.string("cluster.host");
    int port = settings.integer("cluster.port", 1, 65535);
    List<String> members = members(settings.string("cluster.members"));
    int timeout = settings.integer("cluster.heartbeat-timeout-seconds", 2, 600);

    config.setInstanceName("trader-" + port);
    config.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(timeout));
    config.getNetworkConfig().setPort(port).setPortAutoIncrement(false).setPublicAddress(host + ":" + port);
    config.getNetworkConfig().setInterfaces(new InterfacesConfig().setEnabled(false));
    config.setProperty("hazelcast.local.localAddress", host);
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(members);
    return new HazelcastClusterManager(config);
  }

  static List<String> members(String list) {
    List<String> members = Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    if (members.isEmpty()) {
      throw new Settings.ConfigException("Configuration key 'cluster.members' is empty: list at least this node, "
        + "e.g. 127.0.0.1:5701");
    }
    return members;
  }

  private static Config load(String location) {
    Path file = Path.of(location);
    try (InputStream in = Files.isRegularFile(file) ? Files.newInputStream(file)
      : Cluster.class.getClassLoader().getResourceAsStream(location)) {
      if (in == null) {
        throw new Settings.ConfigException("Cluster configuration not found: '" + location
          + "' (configuration key 'cluster.config')");
      }
      return new XmlConfigBuilder(in).build();
    } catch (IOException e) {
      throw new Settings.ConfigException("Cannot read cluster configuration '" + location + "': " + e.getMessage());
    }
  }
}
