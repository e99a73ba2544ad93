package trader.platform;

import io.vertx.core.Future;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.AuthenticationProvider;
import io.vertx.ext.auth.authentication.Credentials;
import io.vertx.ext.auth.authentication.TokenCredentials;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The operators' secret for {@code /api/admin} ({@link Secrets}: {@code admin.token}, or in dev mode
 * {@code data.dir/admin-token}); compared in constant time.
 */
final class AdminToken implements AuthenticationProvider {

  static final int MIN_LENGTH = 24;
  private final byte[] token;

  private AdminToken(String token) {
    this.token = token.getBytes(StandardCharsets.UTF_8);
  }

  /** The configured token, the dev-mode one, or empty when the admin API stays off. */
  static Optional<AdminToken> resolve(Settings settings, boolean devMode, Path dataDir) {
    return Secrets.resolve(settings, "admin.token", MIN_LENGTH, devMode, dataDir, "admin-token").map(AdminToken::new);
  }

  @Override
  public Future<User> authenticate(Credentials credentials) {
    if (credentials instanceof TokenCredentials t && t.getToken() != null
      && MessageDigest.isEqual(token, t.getToken().getBytes(StandardCharsets.UTF_8))) {
      return Future.succeededFuture(User.fromName("admin"));
    }
    return Future.failedFuture("Invalid admin token");
  }
}
