package trader.accounts;

/** What has happened to a {@link User}. */
public sealed interface UserEvent {

  /** The user signed up; {@code username} is as they typed it (trimmed), its lower-case form is the entity id. */
  record UserRegistered(String userId, String username, String passwordHash) implements UserEvent {
    @Override
    public String toString() {
      return "UserRegistered[userId=" + userId + ", username=" + username + ", passwordHash=***]";
    }
  }
}
