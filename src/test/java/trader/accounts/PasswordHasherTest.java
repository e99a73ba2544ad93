package trader.accounts;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PasswordHasherTest {

  final PasswordHasher hasher = new PasswordHasher(20_000);

  @Test
  void verifiesTheRightPasswordOnly() {
    String hash = hasher.hash("correct horse battery".toCharArray());
    assertThat(hash).startsWith("pbkdf2-sha256$20000$").doesNotContain("correct");
    assertThat(hasher.verify("correct horse battery".toCharArray(), hash)).isTrue();
    assertThat(hasher.verify("correct horse batterY".toCharArray(), hash)).isFalse();
  }

  @Test
  void saltsEveryHash() {
    assertThat(hasher.hash("same".toCharArray())).isNotEqualTo(hasher.hash("same".toCharArray()));
  }

  @Test
  void unknownUserNeverVerifies() {
    assertThat(hasher.verify("decoy password".toCharArray(), null)).isFalse();
  }

  @Test
  void hashesOfAnotherIterationCountStillVerify() {
    String old = new PasswordHasher(10_000).hash("pw".toCharArray());
    assertThat(hasher.verify("pw".toCharArray(), old)).isTrue();
  }
}
