package trader.webui;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import com.microsoft.playwright.options.AriaRole;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.testing.Chromium;
import trader.testing.ApiNode;
import trader.testing.TcpProxy;
import trader.testing.TestDatabase;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

/**
 * The web UI in the system's Chromium against a whole node (real PostgreSQL and Kafka, the simulated market):
 * what a user does, seen without reloading the page, kept private from other users, and surviving a lost
 * connection. Screenshots of every page, at laptop and phone widths, go to {@code target/screenshots/}.
 */
class WebUiTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase();

  static final Path SCREENSHOTS = Path.of("target", "screenshots");
  static final String PASSWORD = "correct horse battery";

  static final Optional<Path> CHROMIUM = Chromium.executable();

  static ApiNode node;
  static Playwright playwright;
  static Browser browser;

  @BeforeAll
  static void start() {
    if (CHROMIUM.isEmpty()) {
      return;  // each test reports itself skipped
    }
    node = ApiNode.start(db, Map.of());
    playwright = Chromium.playwright();
    browser = Chromium.launch(playwright, CHROMIUM.get());
    PlaywrightAssertions.setDefaultAssertionTimeout(30_000);
  }

  @BeforeEach
  void needsChromium() {
    Chromium.assumePresent(CHROMIUM);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    if (playwright != null) {
      playwright.close();
    }
    if (node != null) {
      node.close();
    }
  }

  @Test
  void tradeFromSignupToCancelledOrderWithoutReloading() {
    Page page = newUserPage(node.node().httpPort());
    String user = signUp(page);
    markDocument(page);
    String portfolio = openPortfolio(page, "Growth");

    // money in: the server's validation message appears next to the amount field
    page.locator(".page-head").getByText("Add funds").click();
    page.locator("#tr-amount").fill("12.345");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Transfer")).click();
    assertThat(page.locator("[data-error-for=amount]")).isVisible();
    page.locator("#tr-amount").fill("2500.00");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Transfer")).click();
    assertThat(page.locator("[data-testid=transfers] [data-status=COMPLETED]")).hasCount(1);
    assertThat(page.locator("[data-testid=header-savings]")).hasText("$7,500.00");
    screenshot(page, "transfers");

    page.locator("nav[aria-label=Main]").getByText("Portfolios").click();
    screenshot(page, "portfolios");
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Growth")).click();
    assertThat(page.locator("[data-testid=cash]")).hasText("$2,500.00");

    // buy at market: the ticket shows the live ask and what the order reserves; the fill arrives by itself
    page.locator("#t-symbol").selectOption("AAPL");
    page.locator("#t-quantity").fill("5");
    assertThat(page.locator("[data-testid=ask]")).hasText(Pattern.compile("\\$\\d+\\.\\d{2}"));
    assertThat(page.locator("[data-testid=reservation-preview]")).containsText("ask + 5% collar");
    page.getByText("Place buy order").click();
    Locator holding = page.locator("[data-testid=holdings] tr[data-symbol=AAPL]");
    assertThat(holding.locator("[data-col=shares]")).hasText("5");
    assertThat(page.locator("[data-testid=cash]")).not().hasText("$2,500.00");
    page.getByRole(AriaRole.TAB, new Page.GetByRoleOptions().setName("Order history")).click();
    assertThat(page.locator("[data-testid=order-history] [data-status=FILLED]")).hasCount(1);

    // a limit order without its price: the server's refusal appears under the limit field
    page.locator(".ticket label", new Page.LocatorOptions().setHasText("Sell")).click();
    page.locator("#t-type").selectOption("LIMIT");
    page.getByText("Place sell order").click();
    assertThat(page.locator("[data-error-for=limitPrice]")).containsText("limitPrice");

    // each order type asks for the prices it needs
    page.locator("#t-type").selectOption("STOP_LIMIT");
    assertThat(page.locator("#t-stopPrice")).isVisible();
    assertThat(page.locator("#t-limitPrice")).isVisible();
    page.locator("#t-type").selectOption("STOP");
    assertThat(page.locator("#t-limitPrice")).isHidden();
    page.locator("#t-type").selectOption("MARKET");
    assertThat(page.locator("#t-stopPrice")).isHidden();

    // a sell limit far above the market rests and reserves the shares; cancelling releases them
    page.locator("#t-type").selectOption("LIMIT");
    page.locator("#t-limitPrice").fill("9999.00");
    page.locator(".ticket label", new Page.LocatorOptions().setHasText("GTC")).click();
    page.getByText("Place sell order").click();
    page.getByRole(AriaRole.TAB, new Page.GetByRoleOptions().setName(Pattern.compile("Open orders"))).click();
    Locator openOrder = page.locator("[data-testid=open-orders] tbody tr");
    assertThat(openOrder).hasCount(1);
    assertThat(holding.locator("[data-col=shares]")).containsText("5 reserved");
    assertThat(page.locator("[data-testid=reservation-preview]")).containsText("of 0 free");
    screenshot(page, "dashboard");

    openOrder.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Cancel")).click();
    assertThat(openOrder).hasCount(0);
    assertThat(holding.locator("[data-col=shares]")).hasText("5");
    assertThat(page.locator("[data-testid=reservation-preview]")).containsText("of 5 free");
    page.getByRole(AriaRole.TAB, new Page.GetByRoleOptions().setName("Order history")).click();
    assertThat(page.locator("[data-testid=order-history] [data-status=CANCELLED]")).hasCount(1);

    // the quote page: candles from the API, then live ticks
    page.locator(".ticker [data-symbol=AAPL]").click();
    assertThat(page.locator("[data-testid=chart]")).hasAttribute("data-candles", Pattern.compile("[1-9]\\d*"));
    assertThat(page.locator("[data-testid=connection]")).hasAttribute("data-state", "live");
    screenshot(page, "quote");
    assertSameDocument(page);

    page.getByText("Log out").click();
    assertThat(page.locator("#username")).isFocused();
    screenshot(page, "login");

    // back in with the keyboard alone: the username field has the focus, Tab moves on, Enter submits
    page.keyboard().type(user);
    page.keyboard().press("Tab");
    page.keyboard().type(PASSWORD);
    page.keyboard().press("Enter");
    assertThat(page.locator("[data-testid=username]")).hasText(user);
    assertThat(page.locator("[data-portfolio=Growth]")).containsText("$");
    page.locator("[data-portfolio=Growth] a").first().click();
    Assertions.assertThat(page.url()).endsWith("#/portfolios/" + portfolio);
  }

  @Test
  void anotherUserSeesNoneOfTheFirstUsersUpdates() {
    Page alice = newUserPage(node.node().httpPort());
    signUp(alice);
    String aliceId = userId(alice);
    Page bob = newUserPage(node.node().httpPort());
    signUp(bob);
    markDocument(bob);
    assertThat(bob.locator("[data-testid=connection]")).hasAttribute("data-state", "live");

    // bob's page also tries to listen on alice's addresses directly; the bridge must refuse (its refusals name no
    // address, so they reach the client's onerror)
    bob.evaluate("aliceId => { window.spy = { messages: [], errors: [] };"
      + " const token = JSON.parse(sessionStorage.getItem('trader.session')).token;"
      + " const bus = new EventBus('/eventbus?token=' + encodeURIComponent(token));"
      + " bus.onerror = error => window.spy.errors.push(error.body || String(error));"
      + " bus.onopen = () => ['portfolios', 'transfers', 'savings', 'orders'].forEach(topic =>"
      + "   bus.registerHandler('user.' + aliceId + '.' + topic, (error, message) =>"
      + "     error ? window.spy.errors.push(topic) : window.spy.messages.push(message))); }", aliceId);

    String portfolio = openPortfolio(alice, "Alice's");
    alice.locator(".page-head").getByText("Add funds").click();
    alice.locator("#tr-amount").fill("1000.00");
    alice.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Transfer")).click();
    assertThat(alice.locator("[data-testid=transfers] [data-status=COMPLETED]")).hasCount(1);
    assertThat(alice.locator("[data-testid=header-savings]")).hasText("$9,000.00");

    assertThat(bob.locator("[data-testid=header-savings]")).hasText("$10,000.00");
    assertThat(bob.getByText("No portfolio yet")).isVisible();
    bob.locator("nav[aria-label=Main]").getByText("Transfers").click();
    assertThat(bob.getByText("No transfers yet.")).isVisible();
    JsonObject spy = new JsonObject(bob.evaluate("JSON.stringify(window.spy)").toString());
    Assertions.assertThat(spy.getJsonArray("messages")).as("alice's updates reaching bob").isEmpty();
    Assertions.assertThat(spy.getJsonArray("errors").size()).as("refusals of bob's registrations").isPositive();
    Assertions.assertThat(bob.content()).doesNotContain(portfolio, "Alice's");
    assertSameDocument(bob);
  }

  @Test
  void reconnectsAfterTheConnectionDropsAndShowsLaterUpdates() {
    try (TcpProxy proxy = TcpProxy.to(node.client(), node.node().httpPort())) {
      Page page = newUserPage(proxy.port());
      signUp(page);
      markDocument(page);
      String portfolio = openPortfolio(page, "Steady");
      Locator connection = page.locator("[data-testid=connection]");
      assertThat(connection).hasAttribute("data-state", "live");

      proxy.drop();
      assertThat(connection).hasAttribute("data-state", "reconnecting");
      assertThat(page.locator("[data-testid=reconnecting]")).isVisible();
      screenshot(page, "reconnecting");
      String token = token(page);
      transfer(token, portfolio, "300.00");   // completes while the page is cut off

      proxy.resume();
      assertThat(connection).hasAttribute("data-state", "live");
      assertThat(page.locator("[data-testid=reconnecting]")).isHidden();
      assertThat(page.locator("[data-testid=cash]")).hasText("$300.00");

      transfer(token, portfolio, "200.00");   // after the reconnect, pushed as it happens
      assertThat(page.locator("[data-testid=cash]")).hasText("$500.00");
      page.getByRole(AriaRole.TAB, new Page.GetByRoleOptions().setName("Transfers")).click();
      assertThat(page.locator("[data-testid=transfers] [data-status=COMPLETED]")).hasCount(2);
      assertSameDocument(page);
    }
  }

  private Page newUserPage(int port) {
    BrowserContext context = browser.newContext(new Browser.NewContextOptions().setBaseURL("http://127.0.0.1:" + port)
      .setViewportSize(1366, 900));
    context.setDefaultTimeout(30_000);
    // the browser reports what the Content-Security-Policy blocked as an event and on its console
    context.addInitScript("document.addEventListener('securitypolicyviolation', e => console.error("
      + "'CSP violation: ' + e.violatedDirective + ' blocked ' + e.blockedURI + ' at ' + e.sourceFile + ':' + e.lineNumber))");
    Page page = context.newPage();
    page.onConsoleMessage(message -> {
      if (message.text().contains("CSP violation") || message.text().contains("Content Security Policy")) {
        cspViolations.add(message.text());
      }
    });
    page.onPageError(error -> {
      if (error.contains("Content Security Policy") || error.contains("unsafe-eval")) {
        cspViolations.add(error);
      }
    });
    return page;
  }

  /** What the browser reported blocked by the Content-Security-Policy, in any page of the running test. */
  private final List<String> cspViolations = new CopyOnWriteArrayList<>();

  @AfterEach
  void nothingWasBlockedByTheContentSecurityPolicy() {
    Assertions.assertThat(cspViolations).as("Content-Security-Policy violations").isEmpty();
  }

  private static String signUp(Page page) {
    String username = "ui-" + UUID.randomUUID().toString().substring(0, 8);
    page.navigate("/#/signup");
    page.locator("#username").fill(username);
    page.locator("#password").fill("short");
    page.getByText("Create account").click();
    assertThat(page.locator("[data-error-for=password]")).isVisible();
    screenshot(page, "signup-error");
    page.locator("#password").fill(PASSWORD);
    page.getByText("Create account").click();
    assertThat(page.locator("[data-testid=username]")).hasText(username);
    assertThat(page.locator("[data-testid=header-savings]")).hasText("$10,000.00");
    return username;
  }

  /** Opens a portfolio from the portfolios page; answers its id (the dashboard's address names it). */
  private static String openPortfolio(Page page, String name) {
    page.locator("nav[aria-label=Main]").getByText("Portfolios").click();
    page.locator("#portfolio-name").fill(name);
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Open portfolio")).click();
    assertThat(page.locator("[data-testid=summary]")).isVisible();
    return page.url().replaceAll(".*#/portfolios/", "").replaceAll("\\?.*", "");
  }

  private static String token(Page page) {
    return page.evaluate("JSON.parse(sessionStorage.getItem('trader.session')).token").toString();
  }

  private static String userId(Page page) {
    return page.evaluate("JSON.parse(sessionStorage.getItem('trader.session')).userId").toString();
  }

  /** Marks the loaded document: a reload would lose the mark, so {@link #assertSameDocument} proves there was none. */
  private static void markDocument(Page page) {
    page.evaluate("window.sameDocument = 'never reloaded'");
  }

  private static void assertSameDocument(Page page) {
    Assertions.assertThat(page.evaluate("window.sameDocument")).as("the page was not reloaded")
      .isEqualTo("never reloaded");
  }

  /** A transfer from savings over REST, straight to the node, waited for until it completed. */
  private static void transfer(String token, String portfolio, String amount) {
    HttpResponse<Buffer> r = node.http().post("/api/transfers").bearerTokenAuthentication(token)
      .sendJsonObject(new JsonObject().put("from", new JsonObject().put("kind", "savings"))
      .put("to", new JsonObject().put("kind", "portfolio").put("id", portfolio)).put("amount", amount)).await();
    Assertions.assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(202);
    String id = r.bodyAsJsonObject().getString("transferId");
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!"COMPLETED".equals(node.http().get("/api/transfers/" + id).bearerTokenAuthentication(token).send()
      .await().bodyAsJsonObject().getString("status"))) {
      Assertions.assertThat(System.nanoTime()).as("transfer " + id + " completed in time").isLessThan(deadline);
      LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
    }
  }

  /** Full-page screenshots at laptop and at phone width: {@code name-laptop.png}, {@code name-phone.png}. */
  private static void screenshot(Page page, String name) {
    page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name + "-laptop.png")).setFullPage(true));
    page.setViewportSize(390, 844);
    page.waitForTimeout(300);
    page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name + "-phone.png")).setFullPage(true));
    page.setViewportSize(1366, 900);
  }
}
