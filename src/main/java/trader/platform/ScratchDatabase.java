package trader.platform;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.SqlClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * A throw-away, migrated database for tools such as benchmarks: created as {@code <prefix>_<random>} on the
 * configured PostgreSQL (or on an embedded one started in a temporary directory under {@code data.dir} when
 * {@code pg.url} is not set), and dropped again, with the embedded server and its files, by {@link #close()}.
 */
public final class ScratchDatabase implements AutoCloseable {

  private final Vertx vertx;
  private final PgConnectOptions admin;
  private final String name;
  private final Database database;
  private final EmbeddedPostgresServer embedded;
  private final Path embeddedDir;

  private ScratchDatabase(Vertx vertx, PgConnectOptions admin, String name, Database database,
                          EmbeddedPostgresServer embedded, Path embeddedDir) {
    this.vertx = vertx;
    this.admin = admin;
    this.name = name;
    this.database = database;
    this.embedded = embedded;
    this.embeddedDir = embeddedDir;
  }

  /** Creates and migrates the database (blocking; call it off the event loop). */
  public static ScratchDatabase create(Vertx vertx, Settings settings, String prefix) {
    EmbeddedPostgresServer embedded = null;
    Path embeddedDir = null;
    if (!settings.isSet("pg.url")) {
      try {
        Path dataDir = Files.createDirectories(Path.of(settings.string("data.dir")).toAbsolutePath().normalize());
        embeddedDir = Files.createTempDirectory(dataDir, prefix + "-pg-");
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot create a directory under data.dir: " + e.getMessage(), e);
      }
      embedded = EmbeddedPostgresServer.start(embeddedDir, 0);
      settings = settings.with("pg.url", embedded.url());
    }
    Database configured = Database.create(settings);
    PgConnectOptions admin = configured.connectOptions();
    String name = prefix + "_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    ScratchDatabase scratch = new ScratchDatabase(vertx, admin, name,
      Database.create(new PgConnectOptions(admin).setDatabase(name), settings.integer("pg.pool-size", 1, 1000)),
      embedded, embeddedDir);
    try {
      scratch.admin("create database " + name);
      scratch.database.migrate();
      return scratch;
    } catch (RuntimeException e) {
      scratch.close();
      throw e;
    }
  }

  public String name() {
    return name;
  }

  /** The scratch database, with the configured pool settings. */
  public Database database() {
    return database;
  }

  /** The server's version, e.g. {@code 15.20 (Debian 15.20-0+deb12u1)}. */
  public String serverVersion() {
    SqlClient client = PgBuilder.client().connectingTo(admin).using(vertx).build();
    try {
      return client.query("show server_version").execute().await().iterator().next().getString(0);
    } finally {
      client.close().await();
    }
  }

  @Override
  public void close() {
    try {
      admin("drop database if exists " + name + " with (force)");
    } finally {
      if (embedded != null) {
        embedded.close();
      }
      deleteTree(embeddedDir);
    }
  }

  private void admin(String sql) {
    SqlClient client = PgBuilder.client().connectingTo(admin).using(vertx).build();
    try {
      client.query(sql).execute().await();
    } finally {
      client.close().await();
    }
  }

  private static void deleteTree(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
