package dev.vkj.core.server;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
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
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throwaway CA that issues server and client certificates for tests. */
final class TestPki {
  record Issued(X509Certificate certificate, PrivateKey key) {}

  private final Issued ca;

  private TestPki(Issued ca) {
    this.ca = ca;
  }

  static TestPki create(String name) {
    try {
      KeyPair keys = keyPair();
      X500NameBuilder subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, name);
      JcaX509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              subject.build(),
              BigInteger.valueOf(System.nanoTime()),
              Date.from(Instant.now().minus(Duration.ofHours(1))),
              Date.from(Instant.now().plus(Duration.ofDays(1))),
              subject.build(),
              keys.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      return new TestPki(new Issued(sign(builder, keys.getPrivate()), keys.getPrivate()));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  X509Certificate caCertificate() {
    return ca.certificate();
  }

  /** A client certificate with CN = user and one O per group. */
  Issued client(String user, String... groups) {
    X500NameBuilder subject = new X500NameBuilder(BCStyle.INSTANCE);
    for (String group : groups) {
      subject.addRDN(BCStyle.O, group);
    }
    subject.addRDN(BCStyle.CN, user);
    return issue(subject, KeyPurposeId.id_kp_clientAuth, List.of());
  }

  Issued server(String... ips) {
    X500NameBuilder subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, "server");
    return issue(subject, KeyPurposeId.id_kp_serverAuth, List.of(ips));
  }

  private Issued issue(X500NameBuilder subject, KeyPurposeId usage, List<String> ips) {
    try {
      KeyPair keys = keyPair();
      JcaX509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              ca.certificate(),
              BigInteger.valueOf(System.nanoTime()),
              Date.from(Instant.now().minus(Duration.ofHours(1))),
              Date.from(Instant.now().plus(Duration.ofDays(1))),
              subject.build(),
              keys.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(usage));
      if (!ips.isEmpty()) {
        List<GeneralName> names = new ArrayList<>();
        names.add(new GeneralName(GeneralName.dNSName, "localhost"));
        ips.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
        builder.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(names.toArray(GeneralName[]::new)));
      }
      return new Issued(sign(builder, ca.key()), keys.getPrivate());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes the CA certificate as PEM. */
  Path writeCa(Path dir) throws IOException {
    Path file = dir.resolve("ca.crt");
    Files.writeString(file, pem(ca.certificate()));
    return file;
  }

  static Path writeCertificate(Path file, Issued issued) throws IOException {
    Files.writeString(file, pem(issued.certificate()));
    return file;
  }

  static Path writeKey(Path file, Issued issued) throws IOException {
    Files.writeString(file, pem(new JcaPKCS8Generator(issued.key(), null)));
    return file;
  }

  /** Client TLS trusting this CA, presenting {@code client} when not null. */
  SSLContext clientContext(Issued client) {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", ca.certificate());
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      return context(client, tmf.getTrustManagers());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Client TLS that trusts any server certificate, presenting {@code client} when not null. */
  static SSLContext trustAllContext(Issued client) {
    return context(client, new TrustManager[] {new TrustAll()});
  }

  private static SSLContext context(Issued client, TrustManager[] trustManagers) {
    try {
      KeyManagerFactory kmf = null;
      if (client != null) {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry(
            "client", client.key(), new char[0], new X509Certificate[] {client.certificate()});
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf == null ? null : kmf.getKeyManagers(), trustManagers, new SecureRandom());
      return context;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair keyPair() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder builder, PrivateKey key)
      throws Exception {
    return new JcaX509CertificateConverter()
        .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
  }

  private static String pem(Object object) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    }
    return out.toString();
  }

  private static final class TrustAll extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
