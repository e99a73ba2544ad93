package trader.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * Secrets a node needs (the admin token, the JWT signing key): the configured value when set; in dev mode a random
 * one generated once and kept in a file of the data directory (readable by its owner only); in production mode
 * nothing, so that no secret ever has a working default.
 */
public final class Secrets {

  private Secrets() {
  }

  /**
   * @param key       the configuration key, e.g. {@code auth.jwt-secret}
   * @param minLength the shortest acceptable configured value
   * @param fileName  the dev-mode file under {@code dataDir}
   */
  public static Optional<String> resolve(Settings settings, String key, int minLength, boolean devMode, Path dataDir,
                                         String fileName) {
    if (settings.isSet(key)) {
      String value = settings.string(key).trim();
      if (value.length() < minLength) {
        throw new Settings.ConfigException("Configuration key '" + key + "' is too short: use at least " + minLength
          + " random characters");
      }
      return Optional.of(value);
    }
    if (!devMode) {
      return Optional.empty();
    }
    Path file = dataDir.resolve(fileName);
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
      return Optional.of(Files.readString(file).trim());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot keep the dev-mode secret in " + file + ": " + e.getMessage(), e);
    }
  }
}
