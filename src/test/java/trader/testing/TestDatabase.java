package trader.testing;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.SqlClient;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import trader.platform.Database;

import java.util.Locale;
import java.util.UUID;

/**
 * A database of its own for one test class, created before its tests and dropped after them, with the
 * product's migrations applied (unless created with {@code migrated = false}). Also gives the class a unique
 * prefix for Kafka topic names.
 *
 * <pre>{@literal @}RegisterExtension static final TestDatabase db = new TestDatabase();</pre>
 */
public final class TestDatabase implements BeforeAllCallback, AfterAllCallback {

  private final boolean migrated;
  private String name;
  private PgConnectOptions options;

  public TestDatabase() {
    this(true);
  }

  public TestDatabase(boolean migrated) {
    this.migrated = migrated;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    String owner = context.getRequiredTestClass().getSimpleName().toLowerCase(Locale.ROOT);
    name = "t_" + owner.substring(0, Math.min(30, owner.length())) + "_"
      + UUID.randomUUID().toString().substring(0, 8);
    admin("create database " + name);
    options = TestInfra.adminPgOptions().setDatabase(name);
    if (migrated) {
      database().migrate();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    admin("drop database if exists " + name + " with (force)");
  }

  public String name() {
    return name;
  }

  public PgConnectOptions options() {
    return new PgConnectOptions(options);
  }

  /** The {@code pg.url} of this database, for a node under test. */
  public String url() {
    StringBuilder url = new StringBuilder("postgresql://").append(options.getUser());
    if (options.getPassword() != null && !options.getPassword().isEmpty()) {
      url.append(':').append(options.getPassword());
    }
    return url.append('@').append(options.getHost()).append(':').append(options.getPort()).append('/').append(name)
      .toString();
  }

  public Database database() {
    return Database.create(options, 8);
  }

  /** A topic name no other test class uses. */
  public String topic(String base) {
    return name + "." + base;
  }

  private static void admin(String sql) {
    Vertx vertx = Vertx.vertx();
    try {
      SqlClient client = PgBuilder.client().connectingTo(TestInfra.adminPgOptions()).using(vertx).build();
      client.query(sql).execute().await();
      client.close().await();
    } finally {
      vertx.close().await();
    }
  }
}
