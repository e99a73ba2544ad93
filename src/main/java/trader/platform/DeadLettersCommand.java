package trader.platform;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import trader.eventsourcing.topic.DeadLetters;
import trader.eventsourcing.topic.DeadLetters.Action;
import trader.eventsourcing.topic.DeadLetters.Letter;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code trader dead-letters list | redrive | discard}: the messages the cluster's topic subscribers could not handle.
 * Re-drives and discards are requests: the node consuming the message's key carries them out within seconds.
 */
@Command(name = "dead-letters", mixinStandardHelpOptions = true,
  description = "List, re-drive and discard the messages topic subscribers could not handle (dead letters) and those "
    + "waiting behind them, in the cluster that uses the configured PostgreSQL.",
  subcommands = {DeadLettersCommand.ListCommand.class, DeadLettersCommand.Redrive.class,
    DeadLettersCommand.Discard.class})
public final class DeadLettersCommand {

  @Option(names = "--config", paramLabel = "FILE", scope = picocli.CommandLine.ScopeType.INHERIT,
    description = "A JSON configuration file over the defaults.")
  Path config;

  @Command(name = "list", description = "Dead and waiting messages, newest first (with --all, settled ones too).")
  static final class ListCommand implements Callable<Integer> {
    @ParentCommand
    DeadLettersCommand parent;

    @Option(names = "--subscriber", description = "only this subscriber (consumer group)")
    String subscriber;

    @Option(names = "--topic", description = "only this topic")
    String topic;

    @Option(names = "--key", description = "only this message key")
    String key;

    @Option(names = "--all", description = "settled ones (done, discarded) too")
    boolean all;

    @Option(names = "--limit", defaultValue = "100", description = "at most this many (default 100)")
    int limit;

    @Override
    public Integer call() {
      List<Letter> letters = ProjectionsCommand.withPool(parent.config, pool -> DeadLetters.create(pool)
        .list(subscriber, topic, key, all, limit).await());
      PrintStream out = System.out;
      out.printf("%8s  %-9s %-9s %-28s %-36s %6s  %s%n", "ID", "STATUS", "ASKED", "SUBSCRIBER",
        "TOPIC@PARTITION:OFFSET", "TRIES", "KEY / REASON");
      for (Letter l : letters) {
        out.printf("%8d  %-9s %-9s %-28s %-36s %6d  %s%n         %s%n", l.id(), l.status(),
          l.requested() == null ? "" : l.requested(), l.subscriber(),
          l.topic() + "@" + l.partition() + ":" + l.offset(), l.attempts(), l.key(), l.reason() == null ? "" : l.reason());
      }
      if (letters.isEmpty()) {
        out.println(all ? "(no dead letters)" : "(no dead letter is in the way)");
      }
      return 0;
    }
  }

  static final class KeyTarget {
    @Option(names = "--subscriber", required = true, description = "the subscriber (consumer group) of the key")
    String subscriber;

    @Option(names = "--key", required = true, description = "every open message of this key, in order")
    String key;
  }

  static int request(Path config, Choice target, Action action) {
    try {
      int asked = ProjectionsCommand.withPool(config, pool -> target.id != null
        ? DeadLetters.create(pool).request(target.id, action).await()
        : DeadLetters.create(pool).requestKey(target.key.subscriber, target.key.key, action).await());
      if (asked == 0) {
        System.err.println("No open dead letter matches");
        return 1;
      }
      System.out.println("Asked for " + action.name().toLowerCase() + " of " + asked + " message(s); the subscriber "
        + "consuming the key carries it out within seconds ('dead-letters list' shows the outcome)");
      return 0;
    } catch (DeadLetters.NotAllowed e) {
      System.err.println(e.getMessage());
      return 1;
    }
  }

  /** A request on one message or on a key's, carried out by the subscriber consuming the key. */
  abstract static class Asking implements Callable<Integer> {
    @ParentCommand
    DeadLettersCommand parent;

    @ArgGroup(multiplicity = "1")
    Choice choice;

    abstract Action action();

    @Override
    public Integer call() {
      return request(parent.config, choice, action());
    }
  }

  @Command(name = "redrive", description = "Handles a dead letter again (the first open one of its key; those behind "
    + "it follow in order), or every open message of a key.")
  static final class Redrive extends Asking {
    @Override
    Action action() {
      return Action.REDRIVE;
    }
  }

  @Command(name = "discard", description = "Discards a dead letter (those behind it then go on), or every open "
    + "message of a key.")
  static final class Discard extends Asking {
    @Override
    Action action() {
      return Action.DISCARD;
    }
  }

  /** One message, {@code --id N}, or every open message of a key, {@code --subscriber S --key K}. */
  static final class Choice {
    @Option(names = "--id", description = "the dead letter's id (from list)")
    Long id;

    @ArgGroup(exclusive = false)
    KeyTarget key;
  }
}
