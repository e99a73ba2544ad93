package trader.platform;

import io.vertx.core.Vertx;
import picocli.CommandLine;
import sun.misc.Signal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * The command line of the fat jar. Without a sub-command it starts a node and runs until SIGTERM or Ctrl-C.
 */
@Command(name = "trader", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
  subcommands = {ProjectionsCommand.class, DeadLettersCommand.class, BenchCommand.class, KafkaCommand.class},
  description = {
    "Reactive Stock Trader: an event-sourced trading system on Vert.x.",
    "",
    "Without a command, starts a node. With no external PostgreSQL (pg.url) or Kafka",
    "(kafka.bootstrap-servers) configured, it starts embedded ones that keep their data",
    "under data.dir (dev mode). Every configuration key can be set in a --config file,",
    "as an environment variable (http.port: TRADER_HTTP_PORT) or a system property",
    "(-Dtrader.http.port=8080); see the README for the list."
  })
public final class Main implements Callable<Integer> {

  @Option(names = "--config", paramLabel = "FILE", description = "A JSON configuration file over the defaults.")
  Path config;

  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "conf/logback.xml");
    }
    // before Hazelcast's first log line, which it would otherwise write through java.util.logging
    System.setProperty("hazelcast.logging.type", "slf4j");
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return new CommandLine(new Main()).setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof Settings.ConfigException) {
        cmd.getErr().println("Configuration error: " + e.getMessage());
        return 2;
      }
      cmd.getErr().println("Failed: " + Node.rootMessage(e));
      return 1;
    });
  }

  @Override
  public Integer call() throws InterruptedException {
    Node node = Node.create(loadSettings(config), Contexts.all());
    // SIGTERM and Ctrl-C stop the node in order and exit 0, also while it still waits for its infrastructure;
    // the hook covers other ways the JVM ends
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), signal -> node.requestStop());
    }
    Runtime.getRuntime().addShutdownHook(new Thread(node::close, "node-shutdown"));
    try {
      node.boot();
      node.awaitStopRequest();
    } catch (Node.StopRequested e) {
      // stopped while booting: close() below still reports it
    } finally {
      node.close();
    }
    return 0;
  }

  /** Loads settings with a short-lived Vert.x instance (the node's own one needs them to be built). */
  static Settings loadSettings(Path config) {
    Vertx vertx = Cluster.localVertx();
    try {
      return Settings.load(vertx, config).await();
    } finally {
      vertx.close();
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"reactive-stock-trader " + Node.version()};
    }
  }
}
