package trader.quotes;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the simulated market's symbols from {@code conf/symbols.json}: the only I/O of the quotes core.
 *
 * <pre>{@code
 * { "description": "...", "symbols": [ { "ticker": "AAPL", "company": "Apple Inc.", "price": "189.50",
 *                                        "volatility": 0.25 }, ... ] }
 * }</pre>
 *
 * Prices are JSON strings (or numbers), read exactly as decimals.
 */
public final class SymbolsFile {

  /** Where the default file is, both in the working directory and in the jar. */
  public static final String DEFAULT = "conf/symbols.json";

  private static final ObjectMapper JSON = JsonMapper.builder()
    .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
    .build();

  private SymbolsFile() {
  }

  /** The listings in {@code file}. */
  public static List<Listing> read(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return parse(in, file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the symbols file " + file, e);
    }
  }

  /** The listings of {@code conf/symbols.json} packed in the jar. */
  public static List<Listing> readDefault() {
    try (InputStream in = SymbolsFile.class.getClassLoader().getResourceAsStream(DEFAULT)) {
      if (in == null) {
        throw new IllegalStateException(DEFAULT + " is not on the class path");
      }
      return parse(in, DEFAULT);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + DEFAULT + " from the class path", e);
    }
  }

  static List<Listing> parse(InputStream in, String source) throws IOException {
    JsonNode symbols = JSON.readTree(in).path("symbols");
    if (!symbols.isArray() || symbols.isEmpty()) {
      throw new IllegalArgumentException(source + ": expected a non-empty \"symbols\" array");
    }
    List<Listing> listings = new ArrayList<>();
    Set<String> tickers = new HashSet<>();
    for (JsonNode s : symbols) {
      Listing listing;
      try {
        listing = new Listing(text(s, "ticker"), text(s, "company"), new BigDecimal(text(s, "price")),
          s.path("volatility").asDouble(Double.NaN));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(source + ": symbol " + s + ": " + e.getMessage(), e);
      }
      if (!tickers.add(listing.ticker())) {
        throw new IllegalArgumentException(source + ": ticker " + listing.ticker() + " is listed twice");
      }
      listings.add(listing);
    }
    return List.copyOf(listings);
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull() || value.asText().isBlank()) {
      throw new IllegalArgumentException("\"" + field + "\" is missing");
    }
    return value.asText();
  }
}
