package dev.vkj.core.server.auth;

import java.security.GeneralSecurityException;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertStore;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/**
 * Client certificates verified against a client CA, like the kubelet's {@code --client-ca-file}:
 * user = subject CN, groups = subject O values. The TLS layer accepts any certificate so that a bad
 * one is answered with 401 instead of a failed handshake.
 */
final class X509Authenticator implements Authenticator {
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final String ANY_USAGE = "2.5.29.37.0";

  private final Set<TrustAnchor> anchors;

  X509Authenticator(List<X509Certificate> clientCa) {
    if (clientCa.isEmpty()) {
      throw new IllegalArgumentException("the client CA bundle holds no certificate");
    }
    this.anchors =
        clientCa.stream().map(ca -> new TrustAnchor(ca, null)).collect(Collectors.toSet());
  }

  @Override
  public Optional<UserInfo> authenticate(RequestCredentials credentials) throws AuthException {
    List<X509Certificate> chain = credentials.peerCertificates();
    if (chain.isEmpty()) {
      return Optional.empty();
    }
    X509Certificate leaf = chain.get(0);
    verify(leaf, chain);
    X500Name subject = X500Name.getInstance(leaf.getSubjectX500Principal().getEncoded());
    List<String> names = values(subject, BCStyle.CN);
    if (names.isEmpty() || names.get(0).isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(UserInfo.of(names.get(0), values(subject, BCStyle.O)));
  }

  private void verify(X509Certificate leaf, List<X509Certificate> chain) throws AuthException {
    try {
      List<String> usages = leaf.getExtendedKeyUsage();
      if (usages != null && !usages.contains(CLIENT_AUTH) && !usages.contains(ANY_USAGE)) {
        throw new AuthException(
            AuthException.Code.INVALID_CERTIFICATE,
            "client certificate " + leaf.getSubjectX500Principal() + " is not for client auth");
      }
      X509CertSelector target = new X509CertSelector();
      target.setCertificate(leaf);
      PKIXBuilderParameters params = new PKIXBuilderParameters(anchors, target);
      params.setRevocationEnabled(false);
      params.addCertStore(
          CertStore.getInstance("Collection", new CollectionCertStoreParameters(chain)));
      CertPathBuilder.getInstance("PKIX").build(params);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new AuthException(
          AuthException.Code.INVALID_CERTIFICATE,
          "verifying client certificate " + leaf.getSubjectX500Principal() + " failed",
          e);
    }
  }

  private static List<String> values(
      X500Name name, org.bouncycastle.asn1.ASN1ObjectIdentifier type) {
    List<String> values = new ArrayList<>();
    for (RDN rdn : name.getRDNs(type)) {
      for (var atv : rdn.getTypesAndValues()) {
        if (atv.getType().equals(type)) {
          ASN1Encodable value = atv.getValue();
          values.add(IETFUtils.valueToString(value));
        }
      }
    }
    return values;
  }
}
