package trader.testing;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The machine's Chromium driven by Playwright (no browser download). Where there is none, the calling test is
 * skipped with a message that says so (JUnit reports it as skipped, never as passed).
 */
public final class Chromium {

  /** Where Debian's {@code chromium} package puts it; {@code TRADER_TEST_CHROMIUM} names another one. */
  public static final Path DEFAULT = Path.of("/usr/bin/chromium");

  private Chromium() {
  }

  /** The browser's executable, if the machine has one. */
  public static Optional<Path> executable() {
    return Optional.of(configuredPath()).filter(Files::isExecutable);
  }

  /**
   * Skips the calling test, saying why, when there is no browser. Call it per test (e.g. in {@code @BeforeEach}):
   * an assumption failing in {@code @BeforeAll} would make the tests vanish from the report instead.
   */
  public static void assumePresent(Optional<Path> executable) {
    if (executable.isEmpty()) {
      System.err.println("SKIPPED browser test: no Chromium at " + configuredPath()
        + " (apt-get install -y chromium, or set TRADER_TEST_CHROMIUM)");
    }
    Assumptions.assumeTrue(executable.isPresent(),
      "No Chromium at " + configuredPath() + ": browser test skipped (apt-get install -y chromium)");
  }

  private static Path configuredPath() {
    String configured = System.getenv("TRADER_TEST_CHROMIUM");
    return configured == null || configured.isBlank() ? DEFAULT : Path.of(configured);
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
