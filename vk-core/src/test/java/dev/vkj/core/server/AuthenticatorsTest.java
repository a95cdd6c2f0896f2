package dev.vkj.core.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vkj.core.server.auth.AuthException;
import dev.vkj.core.server.auth.Authenticator;
import dev.vkj.core.server.auth.Authenticators;
import dev.vkj.core.server.auth.PemFiles;
import dev.vkj.core.server.auth.RequestCredentials;
import dev.vkj.core.server.auth.SelfSignedCertificate;
import dev.vkj.core.server.auth.UserInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class AuthenticatorsTest {
  private static final TestPki PKI = TestPki.create("cluster-ca");
  private static final TestPki OTHER = TestPki.create("other-ca");

  private final Authenticator x509 = Authenticators.x509(List.of(PKI.caCertificate()));

  private static RequestCredentials certificate(TestPki.Issued issued) {
    return new RequestCredentials(List.of(issued.certificate()), Optional.empty());
  }

  @Test
  void aVerifiedCertificateIsItsCommonNameAndOrganizations() throws AuthException {
    Optional<UserInfo> user =
        x509.authenticate(
            certificate(
                PKI.client("kube-apiserver-kubelet-client", "kubeadm:cluster-admins", "ops")));

    assertThat(user)
        .contains(
            UserInfo.of("kube-apiserver-kubelet-client", List.of("kubeadm:cluster-admins", "ops")));
  }

  @Test
  void noCertificateProvesNobody() throws AuthException {
    assertThat(x509.authenticate(RequestCredentials.none())).isEmpty();
  }

  @Test
  void aCertificateOfAnotherCaIsAnError() {
    assertThatThrownBy(() -> x509.authenticate(certificate(OTHER.client("mallory"))))
        .isInstanceOfSatisfying(
            AuthException.class,
            e -> assertThat(e.code()).isEqualTo(AuthException.Code.INVALID_CERTIFICATE));
  }

  @Test
  void aServerOnlyCertificateIsNotAClientCertificate() {
    assertThatThrownBy(() -> x509.authenticate(certificate(PKI.server("127.0.0.1"))))
        .isInstanceOf(AuthException.class)
        .hasMessageContaining("not for client auth");
  }

  @Test
  void aSelfSignedCertificateIsRejected() {
    SelfSignedCertificate self = SelfSignedCertificate.generate(List.of("evil"), List.of());

    assertThatThrownBy(
            () ->
                x509.authenticate(
                    new RequestCredentials(List.of(self.certificate()), Optional.empty())))
        .isInstanceOf(AuthException.class);
  }

  @Test
  void chainReturnsTheFirstUserAndAnErrorOnlyWhenNobodyIsProven() throws AuthException {
    AtomicInteger calls = new AtomicInteger();
    Authenticator counting =
        c -> {
          calls.incrementAndGet();
          return Optional.of(UserInfo.of("token-user", List.of()));
        };
    Authenticator failing =
        c -> {
          throw new AuthException(AuthException.Code.INVALID_TOKEN, "invalid bearer token");
        };

    assertThat(Authenticators.chain(x509, counting).authenticate(certificate(PKI.client("a"))))
        .map(UserInfo::name)
        .contains("a");
    assertThat(calls).hasValue(0);
    assertThat(Authenticators.chain(failing, counting).authenticate(RequestCredentials.none()))
        .map(UserInfo::name)
        .contains("token-user");
    assertThatThrownBy(
            () ->
                Authenticators.chain(failing, Authenticators.none())
                    .authenticate(RequestCredentials.none()))
        .isInstanceOf(AuthException.class)
        .hasMessage("invalid bearer token");
    assertThat(Authenticators.chain(Authenticators.none()).authenticate(RequestCredentials.none()))
        .isEmpty();
  }

  @Test
  void credentialsNeverPrintTheToken() {
    assertThat(new RequestCredentials(List.of(), Optional.of("s3cr3t")).toString())
        .doesNotContain("s3cr3t");
  }

  @Test
  void selfSignedCertificatesRoundTripThroughPemFiles(@TempDir Path dir) throws Exception {
    SelfSignedCertificate self =
        SelfSignedCertificate.generate(List.of("vk-node-1", "localhost"), List.of("10.0.0.7"));
    Path cert = dir.resolve("tls.crt");
    Path key = dir.resolve("tls.key");
    self.writeTo(cert, key);

    X509Certificate read = PemFiles.readCertificates(cert).get(0);
    assertThat(read).isEqualTo(self.certificate());
    assertThat(read.getSubjectAlternativeNames().stream().map(l -> (Object) l.get(1)).toList())
        .containsExactly((Object) "vk-node-1", "localhost", "10.0.0.7");
    assertThat(PemFiles.readPrivateKey(key)).isEqualTo(self.privateKey());
    assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
  }

  @Test
  void badPemFilesAreClearErrors(@TempDir Path dir) throws Exception {
    Path junk = Files.writeString(dir.resolve("junk.pem"), "not a pem file");

    assertThatThrownBy(() -> PemFiles.readCertificates(junk)).hasMessageContaining(junk.toString());
    assertThatThrownBy(() -> PemFiles.readPrivateKey(junk)).hasMessageContaining(junk.toString());
    assertThatThrownBy(() -> PemFiles.readPrivateKey(dir.resolve("missing.key")))
        .hasMessageContaining("missing.key");
  }
}
