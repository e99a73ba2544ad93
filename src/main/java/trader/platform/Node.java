package trader.platform;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import trader.eventsourcing.entity.Entities;
import trader.eventsourcing.entity.EntitiesOptions;
import trader.eventsourcing.journal.Journal;
import trader.eventsourcing.topic.DeadLetters;
import trader.eventsourcing.journal.JournalNotifications;
import trader.eventsourcing.journal.Upcasters;
import trader.eventsourcing.projection.ProjectionOptions;
import trader.eventsourcing.projection.ProjectionProgress;
import trader.eventsourcing.projection.Projections;
import trader.gateway.UserTokens;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * One running node: boots config → infrastructure (external, or embedded in dev mode) → clustered Vert.x →
 * HTTP → migrations → contexts, printing one line per phase; {@link #close()} undoes it in reverse.
 *
 * <p>HTTP comes up before Postgres and Kafka are known to be reachable, so that {@code /health/ready} can say
 * what the node is waiting for while it retries with backoff.
 */
public final class Node implements AutoCloseable {

  /** Event-bus address every node answers with its name; a cheap check that the cluster carries messages. */
  public static final String NODE_INFO_ADDRESS = "platform.node-info";

  /** How often consumer-group lag is read from Kafka (Prometheus scrapes every 15 s in docker/). */
  private static final long KAFKA_LAG_PERIOD_MS = 10_000;

  private static final Logger BOOT = LoggerFactory.getLogger("trader.boot");
  private static final Logger LOG = LoggerFactory.getLogger(Node.class);

  private final AtomicBoolean closed = new AtomicBoolean();
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final long bootStart = System.nanoTime();
  private final List<ApiRoutes> apiRoutes = new ArrayList<>();
  private final List<BoundedContext> contexts;
  private volatile String phase = "starting";
  private volatile boolean ready;

  private Settings settings;
  private String name;
  private EmbeddedPostgresServer embeddedPostgres;
  private EmbeddedKafka embeddedKafka;
  private PrometheusMeterRegistry registry;
  private HazelcastClusterManager clusterManager;
  private Vertx vertx;
  private Database database;
  private Pool pool;
  private Fencing fencing;
  private KafkaAdminClient kafkaAdmin;
  private String httpDeployment;
  private JournalNotifications notifications;
  private Entities entities;
  private Projections projections;
  private ProjectionProgress progress;
  private volatile Engine engine;
  private UserTokens userTokens;
  private EventLoopDelay eventLoopDelay;
  private KafkaConsumerLag kafkaLag;
  private int httpPort;

  private Node(Settings settings, List<BoundedContext> contexts) {
    this.settings = settings;
    this.contexts = List.copyOf(contexts);
  }

  /** Boots a node and returns once it is ready; blocks the calling thread, which must not be a Vert.x thread. */
  public static Node start(Settings settings) {
    return start(settings, List.of());
  }

  /** Boots a node running {@code contexts}. */
  public static Node start(Settings settings, List<BoundedContext> contexts) {
    Node node = create(settings, contexts);
    node.boot();
    return node;
  }

  /** A node not started yet: {@link #boot()} starts it, {@link #requestStop()} may interrupt that from elsewhere. */
  public static Node create(Settings settings, List<BoundedContext> contexts) {
    return new Node(settings, contexts);
  }

  /**
   * Starts the node and returns once it is ready. On failure, or when {@link #requestStop()} was called meanwhile,
   * stops what had started and throws.
   */
  public void boot() {
    try {
      doBoot();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Asks a booting node to give up waiting for its infrastructure; safe from any thread, e.g. a signal handler. */
  public void requestStop() {
    stopRequested.countDown();
  }

  /** Blocks until {@link #requestStop()} is called. */
  public void awaitStopRequest() throws InterruptedException {
    stopRequested.await();
  }

  public boolean isStopRequested() {
    return stopRequested.getCount() == 0;
  }

  private void doBoot() {
    Path dataDir = Path.of(settings.string("data.dir")).toAbsolutePath().normalize();
    int clusterPort = settings.integer("cluster.port", 1, 65535);
    name = settings.isSet("node.name") ? settings.string("node.name")
      : System.getenv().getOrDefault("HOSTNAME", "node") + ":" + clusterPort;
    boolean embeddedPg = !settings.isSet("pg.url");
    boolean embeddedKafkaMode = !settings.isSet("kafka.bootstrap-servers");
    if (embeddedPg || embeddedKafkaMode) {
      createDirectories(dataDir);
    }

    if (embeddedPg) {
      phase("postgres", () -> {
        embeddedPostgres = EmbeddedPostgresServer.start(dataDir, settings.integer("pg.embedded-port", 0, 65535));
        settings = settings.with("pg.url", embeddedPostgres.url());
        return "embedded, data in " + dataDir.resolve("postgres") + ", port " + embeddedPostgres.port();
      });
    }
    database = Database.create(settings);
    if (embeddedKafkaMode) {
      phase("kafka", () -> {
        embeddedKafka = EmbeddedKafka.start(dataDir.resolve("kafka"), settings.integer("kafka.embedded-port", 0, 65535));
        settings = settings.with("kafka.bootstrap-servers", embeddedKafka.bootstrapServers());
        return "embedded, data in " + dataDir.resolve("kafka") + ", " + embeddedKafka.bootstrapServers();
      });
    }

    phase("cluster", () -> {
      registry = NodeMetrics.registry(name);
      clusterManager = Cluster.manager(settings);
      VertxOptions options = Cluster.vertxOptions(settings).setMetricsOptions(NodeMetrics.vertxMetricsOptions());
      vertx = Vertx.builder().with(options).withMetrics(new MicrometerMetricsFactory(registry))
        .withClusterManager(clusterManager).buildClustered().await();
      eventLoopDelay = EventLoopDelay.start(vertx, registry, options.getEventLoopPoolSize());
      vertx.eventBus().<JsonObject>consumer(NODE_INFO_ADDRESS, msg -> msg.reply(new JsonObject()
        .put("node", name).put("nodeId", clusterManager.getNodeId())));
      return "member " + settings.string("cluster.host") + ":" + clusterPort + ", "
        + clusterManager.getNodes().size() + " member(s), " + (vertx.isNativeTransportEnabled() ? "epoll" : "NIO")
        + " transport";
    });

    // every session of this node carries its cluster id, so that the survivors can end them if the cluster drops it
    database = database.withApplicationName(Database.sessionName(clusterManager.getNodeId()));
    pool = database.pool(vertx);
    fencing = Fencing.start(clusterManager, pool, settings.integer("cluster.heartbeat-timeout-seconds", 2, 600));
    kafkaAdmin = KafkaAdminClient.create(vertx, Map.of(
      "bootstrap.servers", settings.string("kafka.bootstrap-servers"),
      "request.timeout.ms", "3000", "default.api.timeout.ms", "3000"));

    phase("http", () -> {
      int port = settings.integer("http.port", 0, 65535);
      httpPort = port == 0 ? freePort() : port;
      Settings httpSettings = settings.with("http.port", httpPort);
      apiRoutes.add(builder -> builder.getRoute("getInfo").addHandler(rc -> rc.json(new JsonObject()
        .put("product", "reactive-stock-trader").put("version", version()).put("node", name)
        .put("clusterMembers", clusterManager.getNodes().size())
        // the web UI's order ticket previews what a market or stop buy reserves
        .put("orderCollarPercent", settings.decimal("orders.collar-percent").toPlainString()))));
      Optional<AdminToken> adminToken = AdminToken.resolve(settings, embeddedPostgres != null, dataDir);
      if (adminToken.isEmpty()) {
        LOG.warn("Admin API off: set admin.token (at least {} random characters) to use /api/admin",
          AdminToken.MIN_LENGTH);
      }
      apiRoutes.add(new AdminRoutes(adminToken, () -> engine));
      String jwtSecret = Secrets.resolve(settings, "auth.jwt-secret", 32, embeddedPostgres != null, dataDir,
        "jwt-secret").orElseThrow(() -> new Settings.ConfigException("Configuration key 'auth.jwt-secret' is "
        + "required in production mode (there is no default secret): set TRADER_AUTH_JWT_SECRET to at least 32 "
        + "random characters"));
      userTokens = UserTokens.create(vertx, jwtSecret, settings.integer("auth.token-ttl-seconds", 60, 30 * 86400));
      apiRoutes.add(builder -> builder.security("bearerAuth").httpHandler(userTokens.handler()));
      contexts.forEach(c -> apiRoutes.addAll(c.routes()));
      List<ApiRoutes> routes = List.copyOf(apiRoutes);
      List<WebRoutes> webRoutes = contexts.stream().flatMap(c -> c.webRoutes().stream()).toList();
      HealthChecks liveness = HealthChecks.create(vertx).register("event-loop", p -> p.complete(Status.OK()));
      httpDeployment = vertx.deployVerticle(() -> new HttpVerticle(httpSettings, liveness, readiness(), registry,
          routes, webRoutes, adminToken), new DeploymentOptions().setInstances(Runtime.getRuntime()
          .availableProcessors())).await();
      int managementPort = settings.integer("management.port", 0, 65535);
      return "port " + httpPort + (managementPort > 0 ? ", metrics on " + settings.string("management.host") + ":"
        + managementPort : ", metrics at /metrics for the admin token");
    });

    phase("migrations", () -> {
      var result = retry("PostgreSQL at " + database.describe(), database::migrate);
      return result.migrationsExecuted + " applied, schema version "
        + (result.targetSchemaVersion == null ? result.initialSchemaVersion : result.targetSchemaVersion);
    });
    phase("kafka-check", () -> {
      var cluster = retry("Kafka at " + settings.string("kafka.bootstrap-servers"),
        () -> kafkaAdmin.describeCluster().timeout(10, TimeUnit.SECONDS).await());
      return cluster.getNodes().size() + " broker(s)";
    });
    pool.preparedQuery("insert into node_start (node_name, version) values ($1, $2)")
      .execute(Tuple.of(name, version())).await();
    phase("engine", () -> {
      Journal journal = Journal.create(vertx, pool, Upcasters.none());
      notifications = JournalNotifications.start(vertx, database.connectOptions());
      entities = Entities.create(vertx, journal, EntitiesOptions.defaults()
        .withShards(settings.integer("entities.shards", 1, 100_000))
        .withMaxActive(settings.integer("entities.max-active", 1, 100_000_000))
        .withIdleTimeout(Duration.ofMillis(settings.integer("entities.idle-timeout-ms", 1000, Integer.MAX_VALUE)))
        .withCommandTimeout(Duration.ofMillis(settings.integer("entities.command-timeout-ms", 100, 600_000))),
        registry);
      projections = Projections.create(vertx, database.connectOptions(), journal, notifications, registry,
        ProjectionOptions.DEFAULT.withBatchSize(settings.integer("projections.batch-size", 1, 100_000)));
      progress = ProjectionProgress.create(vertx, pool);
      projections.reportingTo(progress);
      kafkaLag = KafkaConsumerLag.start(vertx, kafkaAdmin, registry, settings.string("kafka.topic-prefix"),
        KAFKA_LAG_PERIOD_MS);
      engine = new Engine(vertx, settings, pool, database.connectOptions(), journal, notifications, entities,
        projections, progress, registry, settings.string("kafka.bootstrap-servers"), userTokens,
        DeadLetters.create(pool));
      return "journal, entities (" + settings.integer("entities.shards") + " shards), projections";
    });
    for (BoundedContext context : contexts) {
      phase(context.name(), () -> {
        context.start(engine).await();
        return "started";
      });
    }

    ready = true;
    phase = "ready";
    BOOT.info("Ready in {} ms. UI at {}", (System.nanoTime() - bootStart) / 1_000_000, publicUrl());
  }

  private HealthChecks readiness() {
    HealthChecks checks = HealthChecks.create(vertx);
    checks.register("node", p -> p.complete(ready ? Status.OK() : Status.KO(new JsonObject().put("phase", phase))));
    checks.register("postgres", 3000, p -> pool.query("select 1").execute()
      .onSuccess(r -> p.complete(Status.OK(new JsonObject().put("database", database.describe()))))
      .onFailure(e -> p.complete(Status.KO(new JsonObject().put("error", rootMessage(e))))));
    // Ready means "this node takes commands": they are journaled without Kafka, and what crosses contexts waits for
    // it (publishers and subscribers retry). A Kafka outage is shown here and in trader_kafka_reachable, but it does
    // not take every node out of its load balancer at once (docs/OPERATIONS.md, "Health").
    checks.register("kafka", 4000, p -> kafkaAdmin.describeCluster().timeout(3500, TimeUnit.MILLISECONDS)
      .onSuccess(c -> p.complete(Status.OK(new JsonObject().put("reachable", true)
        .put("brokers", c.getNodes().size()))))
      .onFailure(e -> p.complete(Status.OK(new JsonObject().put("reachable", false).put("error", rootMessage(e))
        .put("impact", "commands are taken and journaled; what goes between contexts waits for Kafka")))));
    checks.register("cluster", p -> {
      boolean active = clusterManager.isActive();
      JsonObject data = new JsonObject().put("members", clusterManager.getNodes().size())
        .put("nodeId", clusterManager.getNodeId());
      p.complete(active ? Status.OK(data) : Status.KO(data));
    });
    return checks;
  }

  /**
   * Runs a blocking step until it succeeds, waiting longer after each failure (up to {@code infra.retry-max-delay-ms}),
   * with one log line per failure: an unreachable dependency in production is reported, never a crash loop.
   */
  private <T> T retry(String what, Supplier<T> step) {
    long delay = 250;
    long maxDelay = settings.integer("infra.retry-max-delay-ms", 100, 600_000);
    for (int attempt = 1; ; attempt++) {
      try {
        return step.get();
      } catch (RuntimeException e) {
        LOG.warn("{} not reachable (attempt {}): {}; retrying in {} ms", what, attempt, rootMessage(e), delay);
        if (awaitStop(delay)) {
          throw new StopRequested();
        }
        delay = Math.min(maxDelay, delay * 2);
      }
    }
  }

  private void phase(String name, Supplier<String> step) {
    if (isStopRequested()) {
      throw new StopRequested();
    }
    phase = name;
    long start = System.nanoTime();
    String detail = step.get();
    BOOT.info(String.format("%-12s %6d ms  %s", name, (System.nanoTime() - start) / 1_000_000, detail));
  }

  /** Stops accepting requests, undeploys everything, leaves the cluster, then stops embedded Kafka and Postgres. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    requestStop();
    ready = false;
    phase = "stopping";
    long start = System.nanoTime();
    long timeout = settings.integer("shutdown.timeout-ms", 1000, 600_000);
    if (vertx != null) {
      try {
        if (httpDeployment != null) {
          vertx.undeploy(httpDeployment).await(timeout, TimeUnit.MILLISECONDS);
        }
        for (BoundedContext context : contexts.reversed()) {
          context.stop().await(timeout, TimeUnit.MILLISECONDS);
        }
        // the engine in reverse: no new commands or batches, then the connections they use
        if (projections != null) {
          projections.close().await(timeout, TimeUnit.MILLISECONDS);
        }
        if (entities != null) {
          entities.close().await(timeout, TimeUnit.MILLISECONDS);
        }
        if (progress != null) {
          progress.close().await(timeout, TimeUnit.MILLISECONDS);
        }
        if (notifications != null) {
          notifications.close().await(timeout, TimeUnit.MILLISECONDS);
        }
        if (kafkaLag != null) {
          kafkaLag.close();
        }
        if (eventLoopDelay != null) {
          eventLoopDelay.close();
        }
        if (fencing != null) {
          fencing.close();
        }
        if (kafkaAdmin != null) {
          kafkaAdmin.close().await(2, TimeUnit.SECONDS);
        }
        vertx.close().await(Math.max(1000, timeout - elapsedMs(start)), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        LOG.warn("Vert.x did not stop cleanly: {}", rootMessage(e));
      }
    }
    if (embeddedKafka != null) {
      embeddedKafka.close();
    }
    if (embeddedPostgres != null) {
      embeddedPostgres.close();
    }
    BOOT.info("Stopped in {} ms", elapsedMs(start));
  }

  public Vertx vertx() {
    return vertx;
  }

  public Settings settings() {
    return settings;
  }

  /** The engine the contexts run on; null until the node has booted. */
  public Engine engine() {
    return engine;
  }

  public Pool pool() {
    return pool;
  }

  public String name() {
    return name;
  }

  public int httpPort() {
    return httpPort;
  }

  public boolean isReady() {
    return ready;
  }

  public String publicUrl() {
    return settings.isSet("http.public-url") ? settings.string("http.public-url")
      : "http://localhost:" + httpPort + "/";
  }

  static String version() {
    String v = Node.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /** The innermost cause's message: what a user can act on, without the stack trace wall. */
  public static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return message.lines().findFirst().orElse(message).trim();
  }

  private static long elapsedMs(long start) {
    return (System.nanoTime() - start) / 1_000_000;
  }

  /** Waits up to {@code ms}; true when a stop was requested meanwhile. */
  private boolean awaitStop(long ms) {
    try {
      return stopRequested.await(ms, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }

  /** Thrown out of {@link #boot()} when a stop was requested before the node was ready. */
  public static final class StopRequested extends RuntimeException {
    StopRequested() {
      super("Stopped before the node was ready", null, false, false);
    }
  }

  private static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create data directory " + dir + ": " + e.getMessage(), e);
    }
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
