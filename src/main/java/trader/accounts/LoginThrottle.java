package trader.accounts;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.util.Optional;

/**
 * Refuses logins for a username after {@code maxFailures} failed ones within {@code window}, for {@code lockout};
 * kept in PostgreSQL so that every node of the cluster applies the same count.
 */
final class LoginThrottle {

  private final Pool pool;
  private final int maxFailures;
  private final Duration window;
  private final Duration lockout;

  LoginThrottle(Pool pool, int maxFailures, Duration window, Duration lockout) {
    this.pool = pool;
    this.maxFailures = maxFailures;
    this.window = window;
    this.lockout = lockout;
  }

  /** Seconds until {@code username} may try again, if it is locked now. */
  Future<Optional<Long>> lockedFor(String username) {
    return pool.preparedQuery("select ceil(extract(epoch from locked_until - now()))::bigint from login_failures "
        + "where username = $1 and locked_until > now()").execute(Tuple.of(username))
      .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getLong(0)));
  }

  Future<Void> failed(String username) {
    return pool.preparedQuery("""
        insert into login_failures as f (username, failures, first_failure_at) values ($1, 1, now())
        on conflict (username) do update set
          failures = case when f.first_failure_at < now() - $2 * interval '1 second' then 1 else f.failures + 1 end,
          first_failure_at = case when f.first_failure_at < now() - $2 * interval '1 second' then now()
                                  else f.first_failure_at end
        returning failures""")
      .execute(Tuple.of(username, window.toSeconds()))
      .compose(rows -> {
        Row row = rows.iterator().next();
        if (row.getInteger(0) < maxFailures) {
          return Future.succeededFuture();
        }
        return pool.preparedQuery("update login_failures set locked_until = now() + $2 * interval '1 second', "
          + "failures = 0, first_failure_at = now() where username = $1")
          .execute(Tuple.of(username, lockout.toSeconds())).mapEmpty();
      });
  }

  Future<Void> succeeded(String username) {
    return pool.preparedQuery("delete from login_failures where username = $1").execute(Tuple.of(username))
      .mapEmpty();
  }
}
