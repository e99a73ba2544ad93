package trader.accounts;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Password hashes: PBKDF2-HMAC-SHA256 with a random 16-byte salt and a high iteration count (OWASP's 600,000 by
 * default), stored as {@code pbkdf2-sha256$<iterations>$<salt>$<hash>} so that the count can grow later without
 * invalidating stored hashes. Slow on purpose: call it off the event loop.
 */
public final class PasswordHasher {

  public static final int DEFAULT_ITERATIONS = 600_000;
  private static final String PREFIX = "pbkdf2-sha256";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final int iterations;
  /** A hash to verify against when the user does not exist, so that unknown names take as long as wrong passwords. */
  private final String decoy;

  public PasswordHasher(int iterations) {
    if (iterations < 10_000) {
      throw new IllegalArgumentException("PBKDF2 needs at least 10,000 iterations, got " + iterations);
    }
    this.iterations = iterations;
    this.decoy = hash("decoy password".toCharArray());
  }

  public String hash(char[] password) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
    return PREFIX + "$" + iterations + "$" + b64.encodeToString(salt) + "$"
      + b64.encodeToString(derive(password, salt, iterations));
  }

  /** Whether {@code password} matches {@code encoded}; a null {@code encoded} (unknown user) costs the same and fails. */
  public boolean verify(char[] password, String encoded) {
    String[] parts = (encoded == null ? decoy : encoded).split("\\$");
    if (parts.length != 4 || !parts[0].equals(PREFIX)) {
      return false;
    }
    byte[] salt = Base64.getDecoder().decode(parts[2]);
    byte[] expected = Base64.getDecoder().decode(parts[3]);
    byte[] actual = derive(password, salt, Integer.parseInt(parts[1]));
    return MessageDigest.isEqual(expected, actual) && encoded != null;
  }

  private static byte[] derive(char[] password, byte[] salt, int iterations) {
    PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, 256);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available", e);
    } finally {
      spec.clearPassword();
    }
  }
}
