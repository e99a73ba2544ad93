package trader.platform;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A PostgreSQL server run from the zonky binaries on Maven Central, for dev mode and tests.
 * Its data lives in {@code dataDir/postgres} and survives restarts; binaries unpack to {@code dataDir/pg-bin}
 * (not the system temp directory), so one data directory holds everything the node needs.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

  public static final String USER = "postgres";
  public static final String DATABASE = "postgres";

  private final EmbeddedPostgres postgres;

  private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /** Starts the server on {@code port} (0: any free port) with its data in {@code dataDir/postgres}. */
  public static EmbeddedPostgresServer start(Path dataDir, int port) {
    try {
      Path bin = dataDir.resolve("pg-bin");
      Files.createDirectories(bin);
      EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
        .setDataDirectory(dataDir.resolve("postgres"))
        .setCleanDataDirectory(false)
        .setOverrideWorkingDirectory(bin.toFile())
        .setRegisterShutdownHook(false)
        .setPGStartupWait(Duration.ofSeconds(60))
        .setServerConfig("listen_addresses", "127.0.0.1")
        .setServerConfig("max_connections", "300");
      if (port > 0) {
        builder.setPort(port);
      }
      return new EmbeddedPostgresServer(builder.start());
    } catch (IOException e) {
      if (String.valueOf(e.getMessage()).contains("could not lock")) {
        throw new IllegalStateException("Data directory " + dataDir + " is in use by another running node "
          + "(set data.dir to another directory, or stop that node)", e);
      }
      throw new UncheckedIOException("Embedded PostgreSQL did not start: " + e.getMessage(), e);
    }
  }

  public int port() {
    return postgres.getPort();
  }

  /** A {@code postgresql://} URL of the server's default database, as the {@code pg.url} key takes it. */
  public String url() {
    return "postgresql://" + USER + "@127.0.0.1:" + port() + "/" + DATABASE;
  }

  /** Stops the server with a fast shutdown: open transactions roll back, committed data is on disk. */
  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
