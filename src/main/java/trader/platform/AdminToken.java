package trader.platform;

import io.vertx.core.Future;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.AuthenticationProvider;
import io.vertx.ext.auth.authentication.Credentials;
import io.vertx.ext.auth.authentication.TokenCredentials;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * The operators' secret for {@code /api/admin}: {@code admin.token} when set; in dev mode a random one generated
 * once and kept in {@code data.dir/admin-token}; in production mode none (the admin API is then off), so that no
 * working default secret exists.
 */
final class AdminToken implements AuthenticationProvider {

  static final int MIN_LENGTH = 24;
  private final byte[] token;

  private AdminToken(String token) {
    this.token = token.getBytes(StandardCharsets.UTF_8);
  }

  /** The configured token, the dev-mode one, or empty when the admin API stays off. */
  static Optional<AdminToken> resolve(Settings settings, boolean devMode, Path dataDir) {
    if (settings.isSet("admin.token")) {
      String value = settings.string("admin.token").trim();
      if (value.length() < MIN_LENGTH) {
        throw new Settings.ConfigException("Configuration key 'admin.token' is too short: use at least " + MIN_LENGTH
          + " random characters");
      }
      return Optional.of(new AdminToken(value));
    }
    if (!devMode) {
      return Optional.empty();
    }
    Path file = dataDir.resolve("admin-token");
    try {
      if (!Files.exists(file)) {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        Files.createDirectories(dataDir);
        Files.writeString(file, Base64.getUrlEncoder().withoutPadding().encodeToString(random));
        try {
          Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
          // not a POSIX file system: the file keeps its default permissions
        }
      }
      return Optional.of(new AdminToken(Files.readString(file).trim()));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot keep the dev-mode admin token in " + file + ": " + e.getMessage(), e);
    }
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
