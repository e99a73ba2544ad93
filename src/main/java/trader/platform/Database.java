package trader.platform;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.UUID;

/**
 * Where the node's PostgreSQL is and how to reach it: the reactive pool for the product, JDBC only for Flyway.
 */
public final class Database {

  private final PgConnectOptions connectOptions;
  private final int poolSize;

  private Database(PgConnectOptions connectOptions, int poolSize) {
    this.connectOptions = connectOptions;
    this.poolSize = poolSize;
  }

  /** From {@code pg.url} (a {@code postgresql://user:password@host:port/db} URI), {@code pg.user}, {@code pg.password}. */
  public static Database create(Settings settings) {
    String url = settings.string("pg.url");
    PgConnectOptions options;
    try {
      options = PgConnectOptions.fromUri(url);
    } catch (RuntimeException e) {
      throw new Settings.ConfigException("Invalid value for configuration key 'pg.url': expected "
        + "postgresql://user:password@host:port/database, got '" + url + "'");
    }
    if (settings.isSet("pg.user")) {
      options.setUser(settings.string("pg.user"));
    }
    if (settings.isSet("pg.password")) {
      options.setPassword(settings.string("pg.password"));
    }
    options.setPipeliningLimit(256).setCachePreparedStatements(true).setReconnectAttempts(0);
    return new Database(options, settings.integer("pg.pool-size", 1, 1000));
  }

  /**
   * The database a command-line tool should use: {@code pg.url} if set, else the embedded PostgreSQL of a dev-mode
   * node running on {@code data.dir} (its port is in its {@code postmaster.pid}).
   */
  public static Database forTools(Settings settings) {
    if (settings.isSet("pg.url")) {
      return create(settings);
    }
    java.nio.file.Path pid = java.nio.file.Path.of(settings.string("data.dir"), "postgres", "postmaster.pid");
    try {
      java.util.List<String> lines = java.nio.file.Files.readAllLines(pid);
      int port = Integer.parseInt(lines.get(3).trim());
      return create(new PgConnectOptions().setHost("127.0.0.1").setPort(port)
        .setUser(EmbeddedPostgresServer.USER).setDatabase(EmbeddedPostgresServer.DATABASE), 2);
    } catch (java.io.IOException | RuntimeException e) {
      throw new Settings.ConfigException("No PostgreSQL to use: pg.url is not set and no dev-mode node is running "
        + "on data directory " + settings.string("data.dir") + " (" + pid + " not readable)");
    }
  }

  public static Database create(PgConnectOptions options, int poolSize) {
    return new Database(new PgConnectOptions(options), poolSize);
  }

  /** The same database, its sessions named {@code name} in {@code pg_stat_activity} (engine sessions add a purpose). */
  public Database withApplicationName(String name) {
    return new Database(new PgConnectOptions(connectOptions).addProperty("application_name", name), poolSize);
  }

  /**
   * The {@code application_name} of the sessions of the node with cluster id {@code nodeId}: {@code trader/} and the
   * id in 22 characters (base64 of the UUID), leaving room for a session's purpose within PostgreSQL's 63.
   */
  public static String sessionName(String nodeId) {
    try {
      UUID id = UUID.fromString(nodeId);
      byte[] bytes = ByteBuffer.allocate(16).putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits())
        .array();
      return "trader/" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    } catch (IllegalArgumentException e) {
      return "trader/" + nodeId;
    }
  }

  public PgConnectOptions connectOptions() {
    return new PgConnectOptions(connectOptions);
  }

  /** A pipelining pool; requests from many verticles share its connections. */
  public Pool pool(Vertx vertx) {
    return PgBuilder.pool()
      .with(new PoolOptions().setMaxSize(poolSize).setShared(true).setName("trader-pg")
        .setMaxWaitQueueSize(10_000))
      .connectingTo(connectOptions())
      .using(vertx)
      .build();
  }

  /** Host, port and database for messages; never the password. */
  public String describe() {
    return connectOptions.getHost() + ":" + connectOptions.getPort() + "/" + connectOptions.getDatabase();
  }

  /** For Flyway; a socket directory as host (a local server over a Unix-domain socket) goes through junixsocket. */
  public String jdbcUrl() {
    if (isSocketDirectory(connectOptions.getHost())) {
      String socket = connectOptions.getHost() + "/.s.PGSQL." + connectOptions.getPort();
      return "jdbc:postgresql://localhost/" + connectOptions.getDatabase()
        + "?socketFactory=org.newsclub.net.unix.AFUNIXSocketFactory$FactoryArg&socketFactoryArg="
        + java.net.URLEncoder.encode(socket, java.nio.charset.StandardCharsets.UTF_8);
    }
    return "jdbc:postgresql://" + connectOptions.getHost() + ":" + connectOptions.getPort() + "/"
      + connectOptions.getDatabase();
  }

  /**
   * A {@code pg.url} for {@code options} (without user and password, which go in {@code pg.user} and
   * {@code pg.password}); a socket directory as host becomes the {@code host} parameter.
   */
  public static String url(PgConnectOptions options) {
    String db = java.net.URLEncoder.encode(options.getDatabase(), java.nio.charset.StandardCharsets.UTF_8);
    return isSocketDirectory(options.getHost())
      ? "postgresql:///" + db + "?host=" + options.getHost() + "&port=" + options.getPort()
      : "postgresql://" + options.getHost() + ":" + options.getPort() + "/" + db;
  }

  /** A host that is a directory: PostgreSQL's Unix-domain socket is in it (needs the native transport). */
  static boolean isSocketDirectory(String host) {
    return host != null && host.startsWith("/");
  }

  /**
   * Applies the migrations in {@code db/migration} (blocking). Flyway holds a PostgreSQL advisory lock while
   * it migrates, so nodes starting at the same time apply each migration once.
   */
  public MigrateResult migrate() {
    return Flyway.configure()
      .dataSource(jdbcUrl(), connectOptions.getUser(), connectOptions.getPassword())
      .locations("classpath:db/migration")
      .connectRetries(0)
      .load()
      .migrate();
  }
}
