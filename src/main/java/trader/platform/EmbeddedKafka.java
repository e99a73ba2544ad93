package trader.platform;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * An in-process, single-node Apache Kafka broker in KRaft combined mode (broker and controller in one
 * node), for dev mode and tests.
 *
 * <p>All state lives under the given data directory: the first start formats it, later starts on the
 * same directory keep the cluster id and with it every topic and record. Both listeners are bound to
 * 127.0.0.1 only and use PLAINTEXT.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start(Path.of("data/kafka"), 0)) {
 *   String bootstrap = kafka.bootstrapServers();
 *   ...
 * }
 * }</pre>
 */
public final class EmbeddedKafka implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

  private static final int NODE_ID = 1;
  private static final String BROKER_LISTENER = "PLAINTEXT";
  private static final String CONTROLLER_LISTENER = "CONTROLLER";
  private static final String HOST = "127.0.0.1";
  /** Upper bound for the whole start: storage format, server startup and the readiness probe. */
  static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final KafkaRaftServer server;
  private final int port;
  private final int controllerPort;
  private boolean closed;

  private EmbeddedKafka(KafkaRaftServer server, int port, int controllerPort) {
    this.server = server;
    this.port = port;
    this.controllerPort = controllerPort;
  }

  /**
   * Starts a broker on {@code dataDir}, formatting the storage first if it has never been formatted.
   * Returns once the broker answers client requests.
   *
   * @param dataDir directory for all broker state; created if missing and reused on later starts
   * @param port    client port on 127.0.0.1, or 0 to choose a free one
   * @return the running broker; {@link #close() close} it to stop it
   * @throws IllegalStateException if the broker does not start or does not become ready within
   *                               90 seconds
   */
  public static EmbeddedKafka start(Path dataDir, int port) {
    return start(dataDir, port, 0);
  }

  /** As {@link #start(Path, int)}, with a given controller port (0 = free one); for tests. */
  static EmbeddedKafka start(Path dataDir, int port, int controllerPort) {
    long t0 = System.nanoTime();
    // Separate directories, so that the KRaft metadata log is locked on its own: with a shared one a
    // second broker on the same data dir would run its controller on the log before it fails on the lock.
    Path metadataDir = dataDir.toAbsolutePath().resolve("metadata");
    Path logDir = dataDir.toAbsolutePath().resolve("logs");
    int clientPort = port == 0 ? freePort() : port;
    // The controller port is not part of the stored state: with a static quorum (kraft.version 0) the
    // voter endpoints come from controller.quorum.voters on each start, so a new free port is fine.
    // It must differ from the client port, which is not bound yet when that one is given (a restart).
    int cPort = controllerPort == 0 ? freePortOtherThan(clientPort) : controllerPort;

    boolean formatted;
    try {
      Files.createDirectories(metadataDir);
      Files.createDirectories(logDir);
      formatted = formatIfNeeded(metadataDir, logDir);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot prepare Kafka storage in " + dataDir, e);
    }

    KafkaConfig config = KafkaConfig.fromProps(brokerProperties(metadataDir, logDir, clientPort, cPort), false);
    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    EmbeddedKafka kafka = new EmbeddedKafka(server, clientPort, cPort);
    try {
      startup(server);
      kafka.awaitReady(t0 + START_TIMEOUT.toNanos());
    } catch (RuntimeException e) {
      IllegalStateException failure = new IllegalStateException("Embedded Kafka on " + kafka.bootstrapServers()
          + " in " + dataDir + " did not start: " + e.getMessage(), e);
      // release ports, threads and the data dir lock so that a retry or another test can proceed
      try {
        kafka.close();
      } catch (RuntimeException closeFailure) {
        failure.addSuppressed(closeFailure);
      }
      throw failure;
    }
    LOG.info("Embedded Kafka ready on {} ({} {} in {} ms)", kafka.bootstrapServers(),
        formatted ? "formatted and started" : "restarted on existing storage", dataDir,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    return kafka;
  }

  /**
   * Runs {@link KafkaRaftServer#startup()} with Kafka's exit and halt turned into exceptions. When the
   * controller fails to start (port taken, data dir locked by another instance, ...) Kafka's fault
   * handler calls {@code Runtime.halt(1)}: right for a broker process, wrong for a broker inside the
   * application or a test JVM. Only during startup: a fatal fault of a running broker still halts.
   */
  private static void startup(KafkaRaftServer server) {
    // Exit's procedures are JVM-wide; one start at a time
    synchronized (EmbeddedKafka.class) {
      Exit.Procedure fail = (status, message) -> {
        throw new IllegalStateException("Kafka failed during startup and asked to stop the JVM (status "
            + status + (message == null ? "" : ", " + message) + "); see the error Kafka logged before");
      };
      Exit.setHaltProcedure(fail);
      Exit.setExitProcedure(fail);
      try {
        server.startup();
      } finally {
        Exit.resetHaltProcedure();
        Exit.resetExitProcedure();
      }
    }
  }

  /**
   * The address clients connect to.
   *
   * @return {@code "127.0.0.1:PORT"}, usable as {@code bootstrap.servers}
   */
  public String bootstrapServers() {
    return HOST + ":" + port;
  }

  /** The port of the controller listener; for tests. */
  int controllerPort() {
    return controllerPort;
  }

  /**
   * Shuts the broker down in a controlled way and waits until it is stopped. Data stays in the data
   * directory. Calling it again does nothing.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    long t0 = System.nanoTime();
    server.shutdown();
    server.awaitShutdown();
    LOG.info("Embedded Kafka on {} stopped in {} ms", bootstrapServers(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
  }

  /**
   * Formats the storage directories that have no {@code meta.properties} yet. The cluster id of an
   * already formatted directory is kept: Kafka refuses to start when the directories disagree on it.
   *
   * @return true if a directory was formatted now
   */
  private static boolean formatIfNeeded(Path metadataDir, Path logDir) throws IOException {
    String metaId = clusterIdOf(metadataDir);
    String logId = clusterIdOf(logDir);
    if (metaId != null && logId != null) {
      return false;
    }
    String clusterId = metaId != null ? metaId : logId != null ? logId : Uuid.randomUuid().toString();
    if (metaId != null || logId != null) {
      // only after a crash while formatting, or if someone deleted a part of the storage
      LOG.warn("Kafka storage under {} is partly formatted; formatting the rest for cluster {}",
          metadataDir.getParent(), clusterId);
    }
    // The formatter reports to a stream; keep it and show it only when formatting fails.
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8)) {
      new Formatter()
          .setPrintStream(print)
          .setNodeId(NODE_ID)
          .setClusterId(clusterId)
          .setControllerListenerName(CONTROLLER_LISTENER)
          .addDirectory(metadataDir.toString())
          .addDirectory(logDir.toString())
          .setMetadataLogDirectory(metadataDir.toString())
          .setIgnoreFormatted(true)
          .run();
    } catch (Exception e) {
      throw new IllegalStateException("Cannot format Kafka storage in " + metadataDir.getParent() + ": "
          + out.toString(StandardCharsets.UTF_8).strip(), e);
    }
    return true;
  }

  /** The cluster id in {@code dir/meta.properties}, or null if the directory is not formatted. */
  private static String clusterIdOf(Path dir) throws IOException {
    Path meta = dir.resolve("meta.properties");
    if (!Files.exists(meta)) {
      return null;
    }
    Properties props = new Properties();
    try (InputStream in = Files.newInputStream(meta)) {
      props.load(in);
    }
    String id = props.getProperty("cluster.id");
    if (id == null) {
      throw new IllegalStateException(meta + " has no cluster.id; remove " + dir.getParent() + " to start afresh");
    }
    return id;
  }

  private static Properties brokerProperties(Path metadataDir, Path logDir, int port, int controllerPort) {
    Properties p = new Properties();
    p.putAll(Map.ofEntries(
        // one node that is broker and controller: no ZooKeeper, no second process
        Map.entry("process.roles", "broker,controller"),
        Map.entry("node.id", String.valueOf(NODE_ID)),
        Map.entry("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort),
        Map.entry("controller.listener.names", CONTROLLER_LISTENER),
        Map.entry("inter.broker.listener.name", BROKER_LISTENER),
        // loopback only: a dev broker without authentication must not be reachable from the network
        Map.entry("listeners", BROKER_LISTENER + "://" + HOST + ":" + port + ","
            + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort),
        Map.entry("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + port),
        Map.entry("listener.security.protocol.map",
            BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT"),
        Map.entry("log.dirs", logDir.toString()),
        Map.entry("metadata.log.dir", metadataDir.toString()),

        // a single replica: every internal topic must be satisfiable by it, and acks=all means 1 copy,
        // so idempotent and transactional producers work
        Map.entry("default.replication.factor", "1"),
        Map.entry("min.insync.replicas", "1"),
        Map.entry("offsets.topic.replication.factor", "1"),
        Map.entry("transaction.state.log.replication.factor", "1"),
        Map.entry("transaction.state.log.min.isr", "1"),
        // the internal topics are created on first use; 50 partitions each (the default) means 100
        // partition directories, index files and coordinator loads for nothing on one node
        Map.entry("offsets.topic.num.partitions", "5"),
        Map.entry("transaction.state.log.num.partitions", "5"),
        Map.entry("num.partitions", "1"),
        Map.entry("auto.create.topics.enable", "true"),
        // no waiting for more members to join a new consumer group: tests and dev restarts are faster
        Map.entry("group.initial.rebalance.delay.ms", "0"),

        // small machine: the cleaner allocates its dedupe buffer on the heap at start (default 128 MiB);
        // 4 MiB holds ~150k keys per cleaning pass, plenty for dev data
        Map.entry("log.cleaner.dedupe.buffer.size", String.valueOf(4 * 1024 * 1024)),
        Map.entry("log.cleaner.threads", "1"),
        // fewer threads than the defaults (3 network, 8 I/O, 10 background) for a 2-core dev box
        Map.entry("num.network.threads", "2"),
        Map.entry("num.io.threads", "2"),
        Map.entry("background.threads", "2"),
        // startup blocks until the controller unfences the broker; bound it instead of waiting forever
        Map.entry("server.max.startup.time.ms", String.valueOf(START_TIMEOUT.toMillis()))));
    return p;
  }

  /** Asks the broker for the cluster until it answers with this node, or the deadline passes. */
  private void awaitReady(long deadlineNanos) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
    Exception last = null;
    try (Admin admin = Admin.create(props)) {
      while (System.nanoTime() < deadlineNanos) {
        try {
          var nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(5000))
              .nodes().get(6, TimeUnit.SECONDS);
          if (nodes.stream().anyMatch(n -> n.id() == NODE_ID)) {
            return;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("Interrupted while waiting for Kafka", e);
        } catch (Exception e) {
          last = e;
        }
        sleep(100);
      }
    }
    throw new IllegalStateException("Kafka on " + bootstrapServers() + " not ready after "
        + START_TIMEOUT.toSeconds() + " s", last);
  }

  /**
   * A port that is free on the loopback interface right now. It is released before Kafka binds it, so
   * another process may take it in between; then the start fails with an exception, it does not hang.
   */
  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("No free port on " + HOST, e);
    }
  }

  private static int freePortOtherThan(int taken) {
    for (int i = 0; i < 10; i++) {
      int free = freePort();
      if (free != taken) {
        return free;
      }
    }
    throw new IllegalStateException("No free port on " + HOST + " other than " + taken);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for Kafka", e);
    }
  }
}
