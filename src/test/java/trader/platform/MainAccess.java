package trader.platform;

/** Runs the jar's command line in this JVM, for tests of its sub-commands. */
public final class MainAccess {
  private MainAccess() {
  }

  public static int execute(String... args) {
    return Main.commandLine().execute(args);
  }
}
