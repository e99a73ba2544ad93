package trader.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UserTokensTest {

  final Vertx vertx = Vertx.vertx();
  final UserTokens tokens = UserTokens.create(vertx, "a-secret-of-at-least-32-characters!!", 60);

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void aFreshTokenNamesItsUser() {
    User user = tokens.verify(tokens.issue("user-1", "alice")).await();
    assertThat(UserTokens.userId(user)).isEqualTo("user-1");
    assertThat(user.principal().getString("username")).isEqualTo("alice");
  }

  @Test
  void algNoneIsRefused() {
    String token = tokens.issue("user-1", "alice");
    String[] parts = token.split("\\.");
    String none = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + ".";
    assertThatThrownBy(() -> tokens.verify(none).await()).isNotNull();
  }

  @Test
  void tamperedTokenIsRefused() {
    String[] parts = tokens.issue("user-1", "alice").split("\\.");
    JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    String forged = parts[0] + "." + b64(claims.put("sub", "user-2").encode()) + "." + parts[2];
    assertThatThrownBy(() -> tokens.verify(forged).await()).isNotNull();
  }

  @Test
  void tokenSignedWithAnotherKeyIsRefused() {
    UserTokens other = UserTokens.create(vertx, "another-secret-of-at-least-32-chars!", 60);
    assertThatThrownBy(() -> tokens.verify(other.issue("user-1", "alice")).await()).isNotNull();
  }

  @Test
  void expiredTokenIsRefused() throws Exception {
    UserTokens shortLived = UserTokens.create(vertx, "a-secret-of-at-least-32-characters!!", 1);
    String token = shortLived.issue("user-1", "alice");
    assertThat(shortLived.verify(token).await()).isNotNull();
    Thread.sleep(7_000); // 1 s lifetime + 5 s leeway
    assertThatThrownBy(() -> shortLived.verify(token).await()).isNotNull();
  }

  private static String b64(String json) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }
}
