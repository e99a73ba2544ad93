package trader.accounts;

/** A {@link User} as its events left it. */
public sealed interface UserState {

  /** Nobody has this username yet. */
  record Unregistered() implements UserState {
  }

  /** The username belongs to the user {@code userId}. */
  record Registered(String userId, String username, String passwordHash) implements UserState {
    @Override
    public String toString() {
      return "Registered[userId=" + userId + ", username=" + username + ", passwordHash=***]";
    }
  }
}
