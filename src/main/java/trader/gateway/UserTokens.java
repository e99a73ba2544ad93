package trader.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.handler.JWTAuthHandler;

import java.util.List;

/**
 * The users' bearer tokens: HS256 JWTs with subject = user id, signed with {@code auth.jwt-secret}, limited in time.
 * Verification accepts only that key and algorithm, our issuer and audience, and unexpired tokens: {@code alg: none},
 * tampered, expired and foreign tokens are refused.
 */
public final class UserTokens {

  static final String ISSUER = "reactive-stock-trader";
  static final String AUDIENCE = "trader-api";

  private final JWTAuth auth;
  private final int ttlSeconds;

  private UserTokens(JWTAuth auth, int ttlSeconds) {
    this.auth = auth;
    this.ttlSeconds = ttlSeconds;
  }

  public static UserTokens create(Vertx vertx, String secret, int ttlSeconds) {
    JWTAuth auth = JWTAuth.create(vertx, new JWTAuthOptions()
      .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret))
      .setJWTOptions(new JWTOptions().setIssuer(ISSUER).setAudience(List.of(AUDIENCE)).setLeeway(5)));
    return new UserTokens(auth, ttlSeconds);
  }

  /** A token for {@code userId} that expires after the configured time. */
  public String issue(String userId, String username) {
    return auth.generateToken(new JsonObject().put("username", username), new JWTOptions().setAlgorithm("HS256")
      .setSubject(userId).setIssuer(ISSUER).setAudience(List.of(AUDIENCE)).setExpiresInSeconds(ttlSeconds));
  }

  public int ttlSeconds() {
    return ttlSeconds;
  }

  /** The user a token stands for, or a failed future when it is not valid. */
  public Future<User> verify(String token) {
    return auth.authenticate(new TokenCredentials(token));
  }

  /** The handler for routes that need a user ({@code Authorization: Bearer ...}). */
  public JWTAuthHandler handler() {
    return JWTAuthHandler.create(auth);
  }

  /** The id of the authenticated user of a request. */
  public static String userId(User user) {
    return user.principal().getString("sub");
  }
}
