package trader.accounts;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.util.Optional;

/**
 * Refuses logins for a username after {@code maxFailures} attempts without success within {@code window}, for
 * {@code lockout}; kept in PostgreSQL so that every node of the cluster applies the same count.
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

  /**
   * Counts a login attempt for {@code username} before its password is checked, atomically, so that parallel guesses
   * cannot all pass a check made before any of them failed. Returns the seconds to wait when this attempt is over
   * the limit (the username is locked); a successful login then clears the count ({@link #succeeded}).
   */
  Future<Optional<Long>> attempt(String username) {
    return pool.preparedQuery("""
        insert into login_failures as f (username, failures, first_failure_at) values ($1, 1, now())
        on conflict (username) do update set
          failures = case when f.locked_until > now() then f.failures
                          when f.locked_until is not null or f.first_failure_at < now() - $2 * interval '1 second' then 1
                          else f.failures + 1 end,
          first_failure_at = case when f.locked_until > now() then f.first_failure_at
                          when f.locked_until is not null or f.first_failure_at < now() - $2 * interval '1 second'
                            then now()
                          else f.first_failure_at end,
          locked_until = case when f.locked_until > now() then f.locked_until
                          when f.locked_until is null and f.first_failure_at >= now() - $2 * interval '1 second'
                            and f.failures + 1 > $3 then now() + $4 * interval '1 second'
                          else null end
        returning ceil(extract(epoch from locked_until - now()))::bigint""")
      .execute(Tuple.of(username, window.toSeconds(), maxFailures, lockout.toSeconds()))
      .map(rows -> Optional.ofNullable(rows.iterator().next().getLong(0)).filter(wait -> wait > 0));
  }

  Future<Void> succeeded(String username) {
    return pool.preparedQuery("delete from login_failures where username = $1").execute(Tuple.of(username))
      .mapEmpty();
  }
}
