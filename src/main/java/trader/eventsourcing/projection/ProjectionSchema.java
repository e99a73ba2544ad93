package trader.eventsourcing.projection;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.regex.Pattern;

/** Names and DDL of a projection's versioned schema, its views and its locks. */
final class ProjectionSchema {

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,40}");

  private ProjectionSchema() {
  }

  static String validName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("Projection and table names are lower case letters, digits and "
        + "underscores, starting with a letter: '" + name + "'");
    }
    return name;
  }

  static String schema(String projection, int version) {
    return validName(projection) + "_v" + version;
  }

  /** Points the transaction's unqualified names at {@code schema}. */
  static Future<Void> useSchema(SqlConnection connection, String schema) {
    return connection.query("set local search_path to " + schema + ", public").execute().mapEmpty();
  }

  /** Replaces the public views of {@code projection} by views of {@code schema}'s tables. */
  static Future<Void> pointViews(SqlConnection connection, Projection projection, String schema) {
    // "view does not exist, skipping" notices of the first version are expected
    Future<Void> chain = connection.query("set local client_min_messages to warning").execute().mapEmpty();
    for (String table : projection.tables()) {
      validName(table);
      chain = chain.compose(v -> connection.query("drop view if exists public." + table).execute())
        .compose(v -> connection.query("create view public." + table + " as select * from " + schema + "." + table)
          .execute()).mapEmpty();
    }
    return chain;
  }

  static Future<Boolean> schemaExists(SqlConnection connection, String schema) {
    return connection.preparedQuery("select exists(select 1 from pg_namespace where nspname = $1)")
      .execute(Tuple.of(schema)).map(rows -> rows.iterator().next().getBoolean(0));
  }

  /** A stable 64-bit advisory lock key for {@code purpose}. */
  static long lockKey(String purpose) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(purpose.getBytes(StandardCharsets.UTF_8));
      long key = 0;
      for (int i = 0; i < 8; i++) {
        key = (key << 8) | (d[i] & 0xff);
      }
      return key;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The shard of {@code streamId} among {@code shards}; stable across JVMs and releases. */
  static int shardOf(String streamId, int shards) {
    if (shards == 1) {
      return 0;
    }
    int h = 0;
    for (byte b : streamId.getBytes(StandardCharsets.UTF_8)) {
      h = 31 * h + (b & 0xff);
    }
    return Math.floorMod(h, shards);
  }
}
