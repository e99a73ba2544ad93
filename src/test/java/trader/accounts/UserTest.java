package trader.accounts;

import org.junit.jupiter.api.Test;
import trader.accounts.UserCommand.Register;
import trader.accounts.UserEvent.UserRegistered;
import trader.accounts.UserState.Registered;
import trader.eventsourcing.entity.EntityFixture;

import static org.assertj.core.api.Assertions.assertThat;

/** Signing up: each command, each rejection, and repeats. */
class UserTest {

  private static final String ALICE_ID = "6f1c7a2e-3d4b-4c5a-8e9f-0a1b2c3d4e5f";
  private static final String BOB_ID = "0b7d3e1f-5a6c-4d8e-9f0a-1b2c3d4e5f60";

  private final EntityFixture<UserCommand, UserEvent, UserState> user = EntityFixture.of(new User());

  @Test
  void registersTheTrimmedUsername() {
    user.given()
      .when(new Register(ALICE_ID, " Alice ", "hash-1"))
      .thenEvents(new UserRegistered(ALICE_ID, "Alice", "hash-1"))
      .thenState(new Registered(ALICE_ID, "Alice", "hash-1"));
  }

  @Test
  void theEntityIdIsTheLowerCaseUsername() {
    assertThat(User.entityId(" Alice ")).isEqualTo("alice");
    assertThat(User.entityId("alice")).isEqualTo(User.entityId("ALICE"));
  }

  @Test
  void aRepeatedSignUpChangesNothing() {
    // a retry may hash the password again with a new salt: the user id says it is the same sign-up
    user.given(new UserRegistered(ALICE_ID, "Alice", "hash-1"))
      .when(new Register(ALICE_ID, "Alice", "hash-2"))
      .thenNoEvents()
      .thenState(new Registered(ALICE_ID, "Alice", "hash-1"));
  }

  @Test
  void rejectsATakenUsername() {
    user.given(new UserRegistered(ALICE_ID, "Alice", "hash-1"))
      .when(new Register(BOB_ID, "alice", "hash-2"))
      .thenRejected("Username Alice is taken");
  }

  @Test
  void rejectsMissingOrMalformedFields() {
    user.given().when(new Register(" ", "alice", "h")).thenRejected("A user id is required");
    user.given().when(new Register(null, "alice", "h")).thenRejected("A user id is required");
    String usernameRule = "Username must be 3 to 30 letters, digits, dots, hyphens or underscores";
    user.given().when(new Register(ALICE_ID, "al", "h")).thenRejected(usernameRule);
    user.given().when(new Register(ALICE_ID, "a".repeat(31), "h")).thenRejected(usernameRule);
    user.given().when(new Register(ALICE_ID, "al ice", "h")).thenRejected(usernameRule);
    user.given().when(new Register(ALICE_ID, null, "h")).thenRejected(usernameRule);
    user.given().when(new Register(ALICE_ID, "alice", "")).thenRejected("A password hash is required");
  }

  @Test
  void neverPrintsThePasswordHash() {
    assertThat(new Register(ALICE_ID, "alice", "secret-hash").toString()).doesNotContain("secret-hash");
    assertThat(new UserRegistered(ALICE_ID, "alice", "secret-hash").toString()).doesNotContain("secret-hash");
    assertThat(new Registered(ALICE_ID, "alice", "secret-hash").toString()).doesNotContain("secret-hash");
  }
}
