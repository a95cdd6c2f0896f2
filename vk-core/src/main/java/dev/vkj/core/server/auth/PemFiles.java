package dev.vkj.core.server.auth;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/** Reads PEM certificates and private keys (PKCS#8, PKCS#1 RSA and SEC1 EC keys). */
public final class PemFiles {
  private PemFiles() {}

  /**
   * Every certificate in a PEM file, in order.
   *
   * @throws IOException naming the file when it cannot be read or holds no certificate
   */
  public static List<X509Certificate> readCertificates(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      List<X509Certificate> certificates = new ArrayList<>();
      for (var certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        certificates.add((X509Certificate) certificate);
      }
      if (certificates.isEmpty()) {
        throw new IOException("no PEM certificate in " + file);
      }
      return certificates;
    } catch (CertificateException e) {
      throw new IOException("cannot read certificates from " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * The first private key in a PEM file.
   *
   * @throws IOException naming the file when it cannot be read or holds no unencrypted key
   */
  public static PrivateKey readPrivateKey(Path file) throws IOException {
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(reader)) {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      Object object;
      while ((object = parser.readObject()) != null) {
        if (object instanceof PEMKeyPair pair) {
          return converter.getKeyPair(pair).getPrivate();
        }
        if (object instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
      }
    } catch (IOException | RuntimeException e) {
      // never include key material in the message
      throw new IOException(
          "cannot read private key from " + file + ": " + e.getClass().getSimpleName(), e);
    }
    throw new IOException("no unencrypted PEM private key in " + file);
  }
}
