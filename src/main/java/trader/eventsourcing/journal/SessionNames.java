package trader.eventsourcing.journal;

import io.vertx.pgclient.PgConnectOptions;

/**
 * PostgreSQL {@code application_name}s of the engine's sessions: the purpose of a session is added after the name the
 * options already carry (a node puts its cluster id there), so an operator, or a node fencing a dead peer, finds every
 * session of one node by its prefix in {@code pg_stat_activity}.
 */
public final class SessionNames {

  private static final String KEY = "application_name";

  private SessionNames() {
  }

  /** A copy of {@code options} whose application name is the existing one (if any) followed by {@code purpose}. */
  public static PgConnectOptions withPurpose(PgConnectOptions options, String purpose) {
    String existing = options.getProperties() == null ? null : options.getProperties().get(KEY);
    // the client's own default name says nothing about the node: the purpose replaces it
    boolean named = existing != null && !existing.isEmpty()
      && !existing.equals(PgConnectOptions.DEFAULT_PROPERTIES.get(KEY));
    String name = named ? existing + " " + purpose : purpose;
    return new PgConnectOptions(options).addProperty(KEY, name);
  }
}
