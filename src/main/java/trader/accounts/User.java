package trader.accounts;

import trader.accounts.UserCommand.Register;
import trader.accounts.UserEvent.UserRegistered;
import trader.accounts.UserState.Registered;
import trader.accounts.UserState.Unregistered;
import trader.eventsourcing.entity.Decision;
import trader.eventsourcing.entity.EntityType;
import trader.eventsourcing.entity.RecordCodec;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A username and the user who holds it. The entity id is the username in lower case ({@link #entityId}), so two
 * people cannot sign up as "Alice" and "alice": the runtime sends both to the same entity, one at a time.
 */
public final class User implements EntityType<UserCommand, UserEvent, UserState> {

  public static final String NAME = "user";

  private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9._-]{3,30}");

  private static final RecordCodec<UserCommand> COMMANDS = RecordCodec.of(UserCommand.class)
    .add("user.register", Register.class)
    .build();

  private static final RecordCodec<UserEvent> EVENTS = RecordCodec.of(UserEvent.class)
    .add("user.registered", UserRegistered.class)
    .sharingDecodings()
    .build();

  private static final RecordCodec<UserState> STATES = RecordCodec.of(UserState.class)
    .add("user.state.unregistered", Unregistered.class)
    .add("user.state.registered", Registered.class)
    .build();

  /** The entity id of the user who signs up or logs in as {@code username}. */
  public static String entityId(String username) {
    return username.trim().toLowerCase(Locale.ROOT);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public UserState initialState() {
    return new Unregistered();
  }

  @Override
  public Decision<UserEvent> decide(UserState state, UserCommand command) {
    return switch (command) {
      case Register register -> switch (state) {
        case Unregistered unregistered -> register(register);
        case Registered registered -> registered.userId().equals(register.userId())
          ? Decision.accept() // the same sign-up again
          : Decision.reject("Username " + registered.username() + " is taken");
      };
    };
  }

  private static Decision<UserEvent> register(Register register) {
    if (register.userId() == null || register.userId().isBlank()) {
      return Decision.reject("A user id is required");
    }
    String username = register.username() == null ? "" : register.username().trim();
    if (!USERNAME.matcher(username).matches()) {
      return Decision.reject("Username must be 3 to 30 letters, digits, dots, hyphens or underscores");
    }
    if (register.passwordHash() == null || register.passwordHash().isBlank()) {
      return Decision.reject("A password hash is required");
    }
    return Decision.accept(new UserRegistered(register.userId(), username, register.passwordHash()));
  }

  @Override
  public UserState evolve(UserState state, UserEvent event) {
    return switch (event) {
      case UserRegistered registered ->
        new Registered(registered.userId(), registered.username(), registered.passwordHash());
    };
  }

  @Override
  public RecordCodec<UserCommand> commands() {
    return COMMANDS;
  }

  @Override
  public RecordCodec<UserEvent> events() {
    return EVENTS;
  }

  @Override
  public RecordCodec<UserState> states() {
    return STATES;
  }
}
