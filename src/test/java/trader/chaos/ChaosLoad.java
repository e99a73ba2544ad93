package trader.chaos;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntFunction;

/**
 * A steady mixed load through the REST API of every node, as real clients make it: signups, transfers, orders of every
 * type, cancels and queries, spread over the nodes. A command carries an {@code Idempotency-Key}; when the node does
 * not answer (connection refused or cut, timeout) or answers 5xx, the client sends it again, with the same key, to the
 * next node, until a deadline. What the nodes accepted is remembered for the checks afterwards; what happened to each
 * request is counted in the current {@link ChaosPhase}.
 */
final class ChaosLoad implements AutoCloseable {

  /** A user of the load with its portfolio. */
  record Trader(String username, String userId, String token, String portfolioId) {
  }

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(12);
  private static final Duration COMMAND_DEADLINE = Duration.ofSeconds(40);
  private static final String PASSWORD = "correct horse battery";

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final IntFunction<String> baseUrl;
  private final int nodes;
  private final List<Trader> traders = new CopyOnWriteArrayList<>();
  private final java.util.Set<Trader> aside = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final Map<String, BigDecimal> asks = new ConcurrentHashMap<>();
  private final Set<String> acceptedTransfers = ConcurrentHashMap.newKeySet();
  private final Set<String> acceptedOrders = ConcurrentHashMap.newKeySet();
  private final Set<String> acceptedSignups = ConcurrentHashMap.newKeySet();
  private final Set<String> acceptedCancels = ConcurrentHashMap.newKeySet();
  private final List<Thread> workers = new ArrayList<>();
  private volatile ChaosPhase phase = new ChaosPhase("setup");
  private volatile boolean draining;
  private volatile boolean running;

  /** Load over {@code nodes} nodes whose base URL (e.g. {@code http://127.0.0.1:8080}) {@code baseUrl} gives. */
  ChaosLoad(int nodes, IntFunction<String> baseUrl) {
    this.nodes = nodes;
    this.baseUrl = baseUrl;
  }

  void phase(ChaosPhase next) {
    phase = next;
  }

  ChaosPhase phase() {
    return phase;
  }

  /** Signs up {@code count} traders, opens and funds a portfolio for each, and learns the market's symbols. */
  void setUp(int count, BigDecimal funding) {
    for (int i = 0; i < count; i++) {
      Trader t = signUp();
      transfer(t, savings(), portfolio(t.portfolioId()), funding);
    }
    refreshQuotes(traders.getFirst());
    if (asks.isEmpty()) {
      throw new AssertionError("The market published no quotes");
    }
  }

  /** Starts {@code threads} clients, each sending a request about every {@code pauseMs}. */
  void start(int threads, long pauseMs) {
    running = true;
    for (int i = 0; i < threads; i++) {
      Thread worker = Thread.ofPlatform().name("chaos-client-" + i).daemon().start(() -> {
        while (running) {
          try {
            step();
          } catch (RuntimeException e) {
            phase.unexpected(e);
          }
          sleep(ThreadLocalRandom.current().nextLong(pauseMs / 2, pauseMs * 3 / 2 + 1));
        }
      });
      workers.add(worker);
    }
  }

  /** Stops the clients and waits for their last requests. */
  @Override
  public void close() {
    running = false;
    for (Thread worker : workers) {
      try {
        worker.join(COMMAND_DEADLINE.plusSeconds(15).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * After {@link #close()}: asks to cancel every order the portfolios still show open, so that no resting order can
   * fill while the checks read the journal and the read sides. Returns how many cancels were sent.
   */
  int cancelResting() {
    draining = true;
    int sent = 0;
    try {
      for (Trader t : traders) {
        Answer open = send("GET", "/api/portfolios/" + t.portfolioId() + "/orders?status=OPEN", t.token(), null, null);
        if (open == null || open.status() != 200) {
          continue;
        }
        for (Object o : open.body().getJsonArray("orders", new JsonArray())) {
          String orderId = ((JsonObject) o).getString("orderId");
          send("DELETE", "/api/orders/" + orderId, t.token(), null, orderId);
          sent++;
        }
      }
    } finally {
      draining = false;
    }
    return sent;
  }

  /** The clients leave {@code t} alone from now on: a test drives it, and its orders are the test's to end. */
  void setAside(Trader t) {
    aside.add(t);
  }

  List<Trader> traders() {
    return traders;
  }

  Set<String> acceptedTransfers() {
    return acceptedTransfers;
  }

  Set<String> acceptedOrders() {
    return acceptedOrders;
  }

  Set<String> acceptedSignups() {
    return acceptedSignups;
  }

  Set<String> acceptedCancels() {
    return acceptedCancels;
  }

  /** One request of the mix. */
  private void step() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int dice = random.nextInt(100);
    if (dice < 2) {
      signUp();
      return;
    }
    Trader t = traders.get(random.nextInt(traders.size()));
    if (aside.contains(t)) {
      return;
    }
    if (dice < 20) {
      BigDecimal amount = random.nextInt(10) == 0 ? new BigDecimal("50000.00") // more than anyone has: declined
        : BigDecimal.valueOf(random.nextInt(1, 40_000), 2);
      boolean toPortfolio = random.nextBoolean();
      transfer(t, toPortfolio ? savings() : portfolio(t.portfolioId()),
        toPortfolio ? portfolio(t.portfolioId()) : savings(), amount);
    } else if (dice < 55) {
      placeOrder(t);
    } else if (dice < 62) {
      cancelOrder(t);
    } else if (dice < 70) {
      refreshQuotes(t);
    } else {
      String[] queries = {"/api/me", "/api/portfolios/" + t.portfolioId(), "/api/portfolios/" + t.portfolioId()
        + "/orders", "/api/transfers", "/api/portfolios"};
      send("GET", queries[random.nextInt(queries.length)], t.token(), null, null);
    }
  }

  private Trader signUp() {
    String username = "trader-" + UUID.randomUUID().toString().substring(0, 12);
    JsonObject credentials = new JsonObject().put("username", username).put("password", PASSWORD);
    Answer answer = send("POST", "/api/auth/signup", null, credentials, null);
    if (answer == null || answer.status() == 409) {
      // a retried signup whose first attempt went through: the name is taken by this very client
      answer = send("POST", "/api/auth/login", null, credentials, null);
    }
    if (answer == null || answer.status() / 100 != 2) {
      return null;
    }
    String token = answer.body().getString("token");
    acceptedSignups.add(answer.body().getString("userId"));
    Answer opened = send("POST", "/api/portfolios", token, new JsonObject().put("name", "chaos"), null);
    if (opened == null || opened.status() / 100 != 2) {
      return null;
    }
    Trader trader = new Trader(username, answer.body().getString("userId"), token,
      opened.body().getString("portfolioId"));
    traders.add(trader);
    return trader;
  }

  private void transfer(Trader t, JsonObject from, JsonObject to, BigDecimal amount) {
    Answer answer = send("POST", "/api/transfers", t.token(), new JsonObject().put("from", from).put("to", to)
      .put("amount", amount.toPlainString()), UUID.randomUUID().toString());
    if (answer != null && answer.status() == 202) {
      acceptedTransfers.add(answer.body().getString("transferId"));
    }
  }

  private void placeOrder(Trader t) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    List<String> symbols = List.copyOf(asks.keySet());
    String symbol = symbols.get(random.nextInt(symbols.size()));
    BigDecimal ask = asks.get(symbol);
    String side = random.nextInt(3) == 0 ? "SELL" : "BUY";
    boolean buy = side.equals("BUY");
    String type = List.of("MARKET", "LIMIT", "STOP", "STOP_LIMIT").get(random.nextInt(4));
    JsonObject order = new JsonObject().put("symbol", symbol).put("side", side)
      .put("quantity", random.nextInt(1, 4)).put("type", type)
      .put("timeInForce", random.nextBoolean() ? "DAY" : "GTC");
    // limits on either side of the market: some fill at once, some rest
    double limitFactor = buy ? random.nextDouble(0.97, 1.02) : random.nextDouble(0.98, 1.03);
    double stopFactor = buy ? random.nextDouble(1.0, 1.01) : random.nextDouble(0.99, 1.0);
    BigDecimal stop = price(ask, stopFactor);
    if (type.equals("LIMIT")) {
      order.put("limitPrice", price(ask, limitFactor).toPlainString());
    } else if (type.equals("STOP")) {
      order.put("stopPrice", stop.toPlainString());
    } else if (type.equals("STOP_LIMIT")) {
      order.put("stopPrice", stop.toPlainString())
        .put("limitPrice", (buy ? price(stop, 1.01) : price(stop, 0.99)).toPlainString());
    }
    Answer answer = send("POST", "/api/portfolios/" + t.portfolioId() + "/orders", t.token(), order,
      UUID.randomUUID().toString());
    if (answer != null && answer.status() == 202) {
      acceptedOrders.add(answer.body().getString("orderId"));
    }
  }

  private void cancelOrder(Trader t) {
    Answer open = send("GET", "/api/portfolios/" + t.portfolioId() + "/orders?status=OPEN", t.token(), null, null);
    if (open == null || open.status() != 200) {
      return;
    }
    JsonArray orders = open.body().getJsonArray("orders", new JsonArray());
    if (orders.isEmpty()) {
      return;
    }
    String orderId = orders.getJsonObject(ThreadLocalRandom.current().nextInt(orders.size())).getString("orderId");
    // a cancel is idempotent by its order id: sending it again cancels nothing twice
    Answer answer = send("DELETE", "/api/orders/" + orderId, t.token(), null, orderId);
    if (answer != null && answer.status() == 202) {
      acceptedCancels.add(orderId);
    }
  }

  private void refreshQuotes(Trader t) {
    Answer answer = send("GET", "/api/quotes", t.token(), null, null);
    if (answer == null || answer.status() != 200) {
      return;
    }
    Object quotes = answer.body().getValue("quotes");
    Iterable<?> items = quotes instanceof JsonArray array ? array : answer.body().getMap().values();
    for (Object item : items) {
      JsonObject quote = item instanceof JsonObject j ? j : item instanceof Map<?, ?> m
        ? new JsonObject(castMap(m)) : null;
      if (quote != null && quote.getString("symbol") != null && quote.getString("ask") != null
        && !quote.getBoolean("stale", false)) {
        asks.put(quote.getString("symbol"), new BigDecimal(quote.getString("ask")));
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Map<?, ?> m) {
    return (Map<String, Object>) m;
  }

  /** A status and its JSON body. */
  record Answer(int status, JsonObject body) {
  }

  /**
   * Sends a request to one node after the other until one answers below 500, or the deadline passes (null then).
   * Commands without a key that may have been applied are not resent after a 5xx; queries and keyed commands are.
   */
  private Answer send(String method, String path, String token, JsonObject body, String key) {
    long deadline = System.nanoTime() + COMMAND_DEADLINE.toNanos();
    int node = ThreadLocalRandom.current().nextInt(nodes);
    boolean resendable = method.equals("GET") || key != null;
    while (System.nanoTime() < deadline && (running || draining || phase.name().equals("setup"))) {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl.apply(node) + path))
        .timeout(REQUEST_TIMEOUT).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
          : HttpRequest.BodyPublishers.ofString(body.encode()));
      if (body != null) {
        request.header("Content-Type", "application/json");
      }
      if (token != null) {
        request.header("Authorization", "Bearer " + token);
      }
      if (key != null && !method.equals("DELETE")) {
        request.header("Idempotency-Key", key);
      }
      try {
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        int status = response.statusCode();
        JsonObject json = parse(response.body());
        phase.answered(status, json, !method.equals("GET")); // counted where the answer came: the fault's phase
        if (status < 500 || !resendable) {
          return new Answer(status, json);
        }
      } catch (IOException e) {
        phase.unreachable();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
      node = (node + 1) % nodes;
      sleep(200);
    }
    return null;
  }

  private static JsonObject parse(String body) {
    try {
      return body == null || body.isBlank() ? new JsonObject() : new JsonObject(body);
    } catch (RuntimeException e) {
      return new JsonObject().put("unparsed", body);
    }
  }

  private static BigDecimal price(BigDecimal base, double factor) {
    return base.multiply(BigDecimal.valueOf(factor)).setScale(2, RoundingMode.HALF_UP).max(new BigDecimal("0.01"));
  }

  static JsonObject savings() {
    return new JsonObject().put("kind", "savings");
  }

  static JsonObject portfolio(String id) {
    return new JsonObject().put("kind", "portfolio").put("id", id);
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
