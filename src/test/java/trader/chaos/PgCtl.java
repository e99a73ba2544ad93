package trader.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code pg_ctl} on a test's own embedded PostgreSQL (its data in {@code postgres} of the test's directory). As
 * root (as in CI) it runs in a user namespace ({@code unshare -U}), as zonky does, because PostgreSQL refuses to run
 * as root. A stopped server is started again with the options it was first started with.
 */
final class PgCtl {

  private final Path dir;
  private String postmasterOptions;

  PgCtl(Path dir) {
    this.dir = dir;
  }

  /** Runs {@code pg_ctl action -w} with {@code more} arguments and asserts it succeeded. */
  void run(String action, String... more) throws IOException, InterruptedException {
    // beside the server's binary: zonky unpacks once per JVM, into the first server's directory
    Path pgCtl = Path.of(startWords().getFirst()).resolveSibling("pg_ctl");
    List<String> command = new ArrayList<>();
    if (System.getProperty("user.name").equals("root")) {
      command.addAll(List.of("unshare", "-U"));
    }
    command.addAll(List.of(pgCtl.toString(), action, "-w", "-t", "60", "-D", dir.resolve("postgres").toString()));
    command.addAll(List.of(more));
    if (action.equals("start")) {
      command.addAll(List.of("-o", postmasterOptions));
    } else if (postmasterOptions == null) {
      postmasterOptions = startOptions();
    }
    Path log = dir.resolve("pg_ctl.log");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertThat(process.waitFor()).as("pg_ctl " + action + ": " + Files.readString(log)).isZero();
  }

  /** The server's command line as it was started (postmaster.opts), without its binary and data directory. */
  private String startOptions() throws IOException {
    List<String> words = startWords();
    List<String> kept = new ArrayList<>();
    for (int i = 1; i < words.size(); i++) {
      if (words.get(i).equals("-D")) {
        i++;
        continue;
      }
      kept.add(words.get(i).contains(" ") ? "'" + words.get(i) + "'" : words.get(i));
    }
    return String.join(" ", kept);
  }

  /** The words of the server's command line (postmaster.opts, written at each start): its binary first. */
  private List<String> startWords() throws IOException {
    String opts = Files.readString(dir.resolve("postgres").resolve("postmaster.opts")).trim();
    List<String> words = new ArrayList<>();
    Matcher m = Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(opts);
    while (m.find()) {
      words.add(m.group(1) != null ? m.group(1) : m.group(2));
    }
    return words;
  }
}
