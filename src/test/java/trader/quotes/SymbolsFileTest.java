package trader.quotes;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SymbolsFileTest {

  @Test
  void theDefaultFileListsAboutThirtyDistinctSymbolsAndSaysItsPricesAreSimulated() throws Exception {
    List<Listing> listings = SymbolsFile.read(Path.of(SymbolsFile.DEFAULT));
    assertThat(listings).hasSizeBetween(25, 40);
    assertThat(listings).extracting(Listing::ticker).doesNotHaveDuplicates()
      .contains("AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "JPM", "V");
    assertThat(listings.getFirst().startPrice()).isEqualTo(new BigDecimal("189.50"));
    assertThat(Files.readString(Path.of(SymbolsFile.DEFAULT))).contains("SIMULATED STARTING POINTS")
      .contains("NOT market data");
    assertThat(SymbolsFile.readDefault()).isEqualTo(listings);
  }

  @Test
  void refusesBadFilesWithTheReason() {
    assertThatThrownBy(() -> parse("{\"symbols\": []}")).hasMessageContaining("non-empty \"symbols\"");
    assertThatThrownBy(() -> parse("{\"symbols\": [{\"ticker\": \"A\", \"company\": \"A\", \"volatility\": 0.2}]}"))
      .hasMessageContaining("\"price\" is missing");
    assertThatThrownBy(() -> parse("{\"symbols\": [{\"ticker\": \"A\", \"company\": \"A\", \"price\": \"1.005\","
      + " \"volatility\": 0.2}]}")).hasMessageContaining("whole cents");
    assertThatThrownBy(() -> parse("{\"symbols\": [{\"ticker\": \"A\", \"company\": \"A\", \"price\": \"1\","
      + " \"volatility\": 0}]}")).hasMessageContaining("volatility");
    String a = "{\"ticker\": \"A\", \"company\": \"A\", \"price\": 10.10, \"volatility\": 0.2}";
    assertThatThrownBy(() -> parse("{\"symbols\": [" + a + ", " + a + "]}")).hasMessageContaining("listed twice");
  }

  @Test
  void readsNumericPricesExactly() throws Exception {
    List<Listing> listings = parse("{\"symbols\": [{\"ticker\": \"A\", \"company\": \"A\", \"price\": 10.10,"
      + " \"volatility\": 0.2}]}");
    assertThat(listings.getFirst().startPrice()).isEqualTo(new BigDecimal("10.10"));
  }

  private static List<Listing> parse(String json) throws Exception {
    return SymbolsFile.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "test");
  }
}
