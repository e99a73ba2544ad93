package trader.platform;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import trader.broker.OrderBookBench;
import trader.broker.OrdersBench;
import trader.eventsourcing.entity.EntityBench;
import trader.eventsourcing.journal.JournalBench;
import trader.eventsourcing.projection.ProjectionBench;
import trader.eventsourcing.topic.TopicBench;

import java.util.concurrent.Callable;

/** {@code trader bench <part>}: measures a part of the product against raw SQL on the same database. */
@Command(name = "bench",
  description = "Benchmarks a part of the product in a scratch database (created, then dropped).",
  subcommands = {JournalBench.class, EntityBench.class, ProjectionBench.class, TopicBench.class,
    OrderBookBench.class, OrdersBench.class})
public final class BenchCommand implements Callable<Integer> {

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  @Spec
  CommandSpec spec;

  /** Without a sub-command: say which there are. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }
}
