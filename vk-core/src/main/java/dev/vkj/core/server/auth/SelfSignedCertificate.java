package dev.vkj.core.server.auth;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed serving certificate (ECDSA P-256, valid for one year) for when no {@code
 * --tls-cert}/{@code --tls-key} is given. Clients that verify the kubelet's certificate will reject
 * it; it only keeps the traffic encrypted.
 */
public final class SelfSignedCertificate {
  private final X509Certificate certificate;
  private final PrivateKey privateKey;

  private SelfSignedCertificate(X509Certificate certificate, PrivateKey privateKey) {
    this.certificate = certificate;
    this.privateKey = privateKey;
  }

  /**
   * Generates a certificate whose subject CN is the first host name and whose SANs are all host
   * names and IP addresses.
   *
   * @param hostnames DNS names, at least one (usually the node name)
   * @param ipAddresses IP address literals
   */
  public static SelfSignedCertificate generate(List<String> hostnames, List<String> ipAddresses) {
    if (hostnames.isEmpty()) {
      throw new IllegalArgumentException("at least one host name is needed");
    }
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      KeyPair keys = generator.generateKeyPair();
      Instant now = Instant.now();
      X500Name subject = new X500Name("CN=" + escape(hostnames.get(0)));
      List<GeneralName> names = new ArrayList<>();
      for (String host : new LinkedHashSet<>(hostnames)) {
        names.add(new GeneralName(GeneralName.dNSName, host));
      }
      for (String ip : new LinkedHashSet<>(ipAddresses)) {
        names.add(new GeneralName(GeneralName.iPAddress, ip));
      }
      JcaX509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              subject,
              new BigInteger(64, new SecureRandom()).abs().add(BigInteger.ONE),
              Date.from(now.minus(Duration.ofHours(1))),
              Date.from(now.plus(Duration.ofDays(365))),
              subject,
              keys.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      builder.addExtension(
          Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(names.toArray(GeneralName[]::new)));
      X509Certificate certificate =
          new JcaX509CertificateConverter()
              .getCertificate(
                  builder.build(
                      new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
      return new SelfSignedCertificate(certificate, keys.getPrivate());
    } catch (GeneralSecurityException
        | IOException
        | org.bouncycastle.operator.OperatorCreationException e) {
      throw new IllegalStateException("cannot generate a self-signed certificate", e);
    }
  }

  private static String escape(String value) {
    return value.replaceAll("([,+\"\\\\<>;=])", "\\\\$1");
  }

  public X509Certificate certificate() {
    return certificate;
  }

  public PrivateKey privateKey() {
    return privateKey;
  }

  public String certificatePem() {
    return pem(certificate);
  }

  /** The private key as PKCS#8 PEM; treat it as a secret. */
  public String privateKeyPem() {
    return pem(privateKey);
  }

  /** Writes the certificate and key as PEM files; the key file is made owner-readable only. */
  public void writeTo(Path certificateFile, Path keyFile) throws IOException {
    requireNonNull(certificateFile, "certificateFile is null");
    requireNonNull(keyFile, "keyFile is null");
    Files.writeString(certificateFile, certificatePem(), StandardCharsets.US_ASCII);
    Files.writeString(keyFile, privateKeyPem(), StandardCharsets.US_ASCII);
    try {
      Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system; keep the default permissions
    }
  }

  private static String pem(Object object) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(
          object instanceof PrivateKey key
              ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null)
              : object);
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode PEM", e);
    }
    return out.toString();
  }
}
