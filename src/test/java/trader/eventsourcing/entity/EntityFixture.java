package trader.eventsourcing.entity;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Given / When / Then for the pure domain code of an {@link EntityType}, without journal, Vert.x or cluster:
 *
 * <pre>{@code
 * EntityFixture.of(new PortfolioEntity())
 *     .given(new Opened("alice"), new Deposited(new BigDecimal("100")))
 *     .when(new PlaceOrder(...))
 *     .thenEvents(new OrderPlaced(...))
 *     .thenState(expected);
 * }</pre>
 *
 * <p>A history can also be given as the commands that made it ({@link #after}): a command whose id
 * ({@link EntityType#commandId}) is among theirs is then answered as the runtime answers it, accepted without events,
 * since its first delivery took effect.
 *
 * <p>Besides the decision, it checks what the runtime relies on: every given and produced event survives its codec
 * (stable name, JSON and back, equal), the command survives the trip between nodes (the decision is made on the
 * decoded copy), {@code decide} gives the same answer twice, {@code evolve} accepts the produced events, and the
 * resulting state survives a snapshot.
 */
public final class EntityFixture<C, E, S> {

  private final EntityType<C, E, S> type;

  private EntityFixture(EntityType<C, E, S> type) {
    this.type = type;
  }

  public static <C, E, S> EntityFixture<C, E, S> of(EntityType<C, E, S> type) {
    return new EntityFixture<>(type);
  }

  /** The entity's history: {@code events} applied to the initial state. */
  @SafeVarargs
  public final Given given(E... events) {
    S state = type.initialState();
    for (E event : events) {
      state = type.evolve(state, roundTrip(type.events(), event, "event"));
    }
    return new Given(state, Set.of());
  }

  /**
   * The entity's history as the commands that made it, each of which must be accepted; those with a command id that
   * caused events count as done (a later command with the same id is a repeat).
   */
  @SafeVarargs
  public final Given after(C... commands) {
    Given given = new Given(type.initialState(), Set.of());
    for (C command : commands) {
      When when = given.when(command);
      if (!(when.decision instanceof Decision.Accept<E> accepted)) {
        throw new AssertionError("The history's command " + command + " was rejected: " + when.decision);
      }
      S after = when.thenEvents(listOf(accepted.events())).state();
      Set<String> done = new HashSet<>(given.done);
      String id = type.commandId(command);
      if (id != null && !accepted.events().isEmpty()) {
        done.add(id);
      }
      given = new Given(after, done);
    }
    return given;
  }

  @SuppressWarnings("unchecked")
  private E[] listOf(List<E> events) {
    return (E[]) events.toArray();
  }

  /** An entity at {@code state}, for states a history cannot reach conveniently. */
  public Given givenState(S state) {
    return new Given(state, Set.of());
  }

  public final class Given {
    private final S state;
    /** The ids of the commands that took effect in the history. */
    private final Set<String> done;

    private Given(S state, Set<String> done) {
      this.state = state;
      this.done = done;
    }

    public S state() {
      return state;
    }

    public When when(C command) {
      C received = roundTrip(type.commands(), command, "command");
      String id = type.commandId(received);
      check(Objects.equals(id, type.commandId(command)), "the command id of " + command + " changes in transit");
      if (id != null && done.contains(id)) {
        return new When(state, command, Decision.accept()); // as the runtime answers a repeat
      }
      Decision<E> decision = type.decide(state, received);
      Decision<E> again = type.decide(state, received);
      check(decision.equals(again), "decide is not a function of state and command: " + decision + " then " + again);
      return new When(state, command, decision);
    }
  }

  public final class When {
    private final S state;
    private final C command;
    private final Decision<E> decision;

    private When(S state, C command, Decision<E> decision) {
      this.state = state;
      this.command = command;
      this.decision = decision;
    }

    /** The command is accepted with exactly {@code expected}, in order; returns the state after them. */
    @SafeVarargs
    public final Then thenEvents(E... expected) {
      List<E> events = switch (decision) {
        case Decision.Accept<E> accept -> accept.events();
        case Decision.Reject<E> reject -> throw new AssertionError("Expected " + command + " to be accepted with "
          + List.of(expected) + ", but it was rejected: " + reject.reason());
      };
      check(events.equals(List.of(expected)), "Expected " + command + " to cause " + List.of(expected)
        + "\n but it caused " + events);
      S after = state;
      for (E event : events) {
        roundTrip(type.events(), event, "event");
        try {
          after = type.evolve(after, event);
        } catch (RuntimeException e) {
          throw new AssertionError("evolve refused " + event + " that decide produced from " + after, e);
        }
      }
      roundTrip(type.states(), after, "state");
      return new Then(after);
    }

    /** The command is accepted and changes nothing. */
    public Then thenNoEvents() {
      return thenEvents();
    }

    /** The command is rejected as a {@link RejectionKind#CONFLICT conflict} with exactly {@code reason}. */
    public void thenRejected(String reason) {
      thenRejected(RejectionKind.CONFLICT, reason);
    }

    /** The command is rejected as {@code kind} with exactly {@code reason}. */
    public void thenRejected(RejectionKind kind, String reason) {
      switch (decision) {
        case Decision.Reject<E> reject -> {
          check(reject.reason().equals(reason), "Expected " + command + " to be rejected with '" + reason
            + "', but the reason was '" + reject.reason() + "'");
          check(reject.kind() == kind, "Expected " + command + " to be rejected as " + kind + ", but it was "
            + reject.kind());
        }
        case Decision.Accept<E> accept -> throw new AssertionError("Expected " + command + " to be rejected with '"
          + reason + "', but it was accepted with " + accept.events());
      }
    }
  }

  public final class Then {
    private final S state;

    private Then(S state) {
      this.state = state;
    }

    public Then thenState(S expected) {
      check(Objects.equals(state, expected), "Expected state " + expected + "\n but it was " + state);
      return this;
    }

    public S state() {
      return state;
    }
  }

  private static <T> T roundTrip(RecordCodec<T> codec, T value, String what) {
    T back;
    try {
      back = codec.decode(codec.typeName(value), codec.encode(value));
    } catch (RuntimeException e) {
      throw new AssertionError("The " + what + " " + value + " does not survive its codec: " + e.getMessage(), e);
    }
    check(value.equals(back), "The " + what + " " + value + " comes back from JSON as " + back);
    return back;
  }

  private static void check(boolean condition, String message) {
    if (!condition) {
      throw new AssertionError(message);
    }
  }
}
