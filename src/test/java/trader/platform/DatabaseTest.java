package trader.platform;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code pg.url} naming a local server's Unix-domain socket directory instead of a TCP host. */
class DatabaseTest {

  static final Path SOCKET_DIR = Path.of("/var/run/postgresql");

  @Test
  void aSocketDirectoryIsAUrlHostParameterAndAJunixsocketJdbcUrl() {
    PgConnectOptions socket = new PgConnectOptions().setHost("/run/pg").setPort(5433).setDatabase("trader");
    assertThat(Database.url(socket)).isEqualTo("postgresql:///trader?host=/run/pg&port=5433");
    PgConnectOptions parsed = PgConnectOptions.fromUri(Database.url(socket));
    assertThat(parsed.getHost()).isEqualTo("/run/pg");
    assertThat(parsed.getPort()).isEqualTo(5433);
    assertThat(parsed.getDatabase()).isEqualTo("trader");
    assertThat(Database.create(socket, 1).jdbcUrl()).isEqualTo("jdbc:postgresql://localhost/trader?socketFactory="
      + "org.newsclub.net.unix.AFUNIXSocketFactory$FactoryArg&socketFactoryArg=%2Frun%2Fpg%2F.s.PGSQL.5433");
    PgConnectOptions tcp = new PgConnectOptions().setHost("db.example").setPort(5432).setDatabase("trader");
    assertThat(Database.url(tcp)).isEqualTo("postgresql://db.example:5432/trader");
    assertThat(Database.create(tcp, 1).jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:5432/trader");
  }

  /** Where the local server listens on its socket (as on the CI machines): the node's client and JDBC both connect. */
  @Test
  void bothClientsConnectThroughTheLocalServersSocket() throws Exception {
    assumeTrue(Files.exists(SOCKET_DIR.resolve(".s.PGSQL.5432")), "no local PostgreSQL socket in " + SOCKET_DIR);
    Database db = Database.create(Settings.of(java.util.Map.of()).with("pg.url",
      "postgresql:///postgres?host=" + SOCKET_DIR + "&user=postgres"));
    Vertx vertx = Cluster.localVertx();
    try {
      assertThat(vertx.isNativeTransportEnabled()).isTrue();
      Pool pool = db.pool(vertx);
      assertThat(pool.query("select inet_client_addr() is null").execute().await().iterator().next().getBoolean(0))
        .as("a Unix-domain connection has no client address").isTrue();
      pool.close().await();
      try (var c = DriverManager.getConnection(db.jdbcUrl(), "postgres", "");
           var rs = c.createStatement().executeQuery("select inet_client_addr() is null")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getBoolean(1)).isTrue();
      }
    } finally {
      vertx.close().await();
    }
  }
}
