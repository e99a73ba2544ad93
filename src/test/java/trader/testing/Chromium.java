package trader.testing;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The machine's Chromium driven by Playwright (no browser download). Where there is none, the calling test is
 * skipped with a message that says so (JUnit reports it as skipped, never as passed).
 */
public final class Chromium {

  /** Where Debian's {@code chromium} package puts it; {@code TRADER_TEST_CHROMIUM} names another one. */
  public static final Path DEFAULT = Path.of("/usr/bin/chromium");

  private Chromium() {
  }

  /** The browser's executable, or the test is skipped. */
  public static Path executableOrSkip() {
    String configured = System.getenv("TRADER_TEST_CHROMIUM");
    Path path = configured == null || configured.isBlank() ? DEFAULT : Path.of(configured);
    boolean present = Files.isExecutable(path);
    if (!present) {
      System.err.println("SKIPPED browser tests: no Chromium at " + path + " (apt-get install -y chromium, "
        + "or set TRADER_TEST_CHROMIUM)");
    }
    Assumptions.assumeTrue(present, "No Chromium at " + path + ": browser tests skipped (apt-get install -y chromium)");
    return path;
  }

  /** Playwright without its own browsers. */
  public static Playwright playwright() {
    return Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
  }

  /** Headless Chromium from {@code executable}, with what it needs to run as root in a container and offline. */
  public static Browser launch(Playwright playwright, Path executable) {
    return playwright.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(executable)
      .setHeadless(true)
      .setArgs(List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync")));
  }
}
