package trader.accounts;

import java.util.Locale;
import java.util.regex.Pattern;

/** What a username and a password must be, explained in the refusal. */
final class PasswordRules {

  static final int MIN_PASSWORD = 10;
  static final int MAX_PASSWORD = 128;
  private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9._-]{3,30}");

  private PasswordRules() {
  }

  /** Why {@code username} and {@code password} are not acceptable, or null when they are. */
  static String problem(String username, String password) {
    if (!USERNAME.matcher(username).matches()) {
      return "username: use 3 to 30 letters, digits, '.', '_' or '-'";
    }
    if (password.length() < MIN_PASSWORD || password.length() > MAX_PASSWORD) {
      return "password: use " + MIN_PASSWORD + " to " + MAX_PASSWORD + " characters";
    }
    if (password.toLowerCase(Locale.ROOT).contains(username.toLowerCase(Locale.ROOT))) {
      return "password: must not contain the username";
    }
    if (password.isBlank() || password.chars().distinct().count() < 4) {
      return "password: use at least 4 different characters";
    }
    return null;
  }
}
