package dev.vkj.core.server;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * A TLS ClientHello built byte by byte and sent over a plain socket, so a test can offer protocol
 * versions the JDK client refuses to send. The answer is classified from the first record only.
 */
final class RawClientHello {
  static final int TLS_1_0 = 0x0301;
  static final int TLS_1_1 = 0x0302;
  static final int TLS_1_2 = 0x0303;

  // ECDSA and RSA suites alike: whichever key the server has, a TLS 1.0/1.1 server finds a match
  private static final int[] CIPHER_SUITES = {
    0xC02B, // TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (TLS 1.2 only)
    0xC02F, // TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (TLS 1.2 only)
    0xC009, // TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA
    0xC00A, // TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA
    0xC013, // TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
    0xC014, // TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA
    0x002F, // TLS_RSA_WITH_AES_128_CBC_SHA
    0x0035, // TLS_RSA_WITH_AES_256_CBC_SHA
    0x00FF, // TLS_EMPTY_RENEGOTIATION_INFO_SCSV
  };

  /** The first record the server sent, or a closed connection. */
  record Answer(int recordType, int handshakeType, int serverVersion, int alertDescription) {
    static final int CLOSED = -1;

    boolean isServerHello() {
      return recordType == 0x16 && handshakeType == 2;
    }

    boolean isAlertOrClosed() {
      return recordType == 0x15 || recordType == CLOSED;
    }

    @Override
    public String toString() {
      return switch (recordType) {
        case CLOSED -> "connection closed";
        case 0x15 -> "alert " + alertDescription;
        case 0x16 ->
            "handshake message type "
                + handshakeType
                + (isServerHello()
                    ? " (ServerHello, version " + Integer.toHexString(serverVersion) + ")"
                    : "");
        default -> "record type " + recordType;
      };
    }
  }

  private RawClientHello() {}

  /** Sends a ClientHello with {@code version} as legacy_version and reads the first answer. */
  static Answer offer(int port, int version) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(hello(version, "localhost"));
      socket.getOutputStream().flush();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      try {
        int type = in.readUnsignedByte();
        in.readUnsignedShort(); // record version
        int length = in.readUnsignedShort();
        byte[] fragment = in.readNBytes(length);
        return switch (type) {
          // handshake: msg_type, a 3-byte length, then (in a ServerHello) server_version
          case 0x16 -> new Answer(type, unsigned(fragment, 0), u16(fragment, 4), -1);
          // alert: level, description
          case 0x15 -> new Answer(type, -1, -1, unsigned(fragment, 1));
          default -> new Answer(type, -1, -1, -1);
        };
      } catch (EOFException e) {
        return new Answer(Answer.CLOSED, -1, -1, -1);
      } catch (SocketException e) {
        // a reset without any record: the server dropped the connection
        return new Answer(Answer.CLOSED, -1, -1, -1);
      }
    }
  }

  /** The whole record: header, handshake header and ClientHello body. */
  static byte[] hello(int version, String serverName) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    u16(body, version);
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    body.writeBytes(random);
    body.write(0); // no session id
    u16(body, CIPHER_SUITES.length * 2);
    for (int suite : CIPHER_SUITES) {
      u16(body, suite);
    }
    body.write(1); // one compression method: null
    body.write(0);

    ByteArrayOutputStream extensions = new ByteArrayOutputStream();
    if (serverName != null) {
      byte[] name = serverName.getBytes(StandardCharsets.US_ASCII);
      ByteArrayOutputStream sni = new ByteArrayOutputStream();
      u16(sni, name.length + 3);
      sni.write(0); // host_name
      u16(sni, name.length);
      sni.writeBytes(name);
      extension(extensions, 0x0000, sni.toByteArray());
    }
    // supported_groups: secp256r1, secp384r1, x25519
    extension(extensions, 0x000a, new byte[] {0, 6, 0, 0x17, 0, 0x18, 0, 0x1d});
    // ec_point_formats: uncompressed
    extension(extensions, 0x000b, new byte[] {1, 0});
    // signature_algorithms (a TLS 1.2 extension; older servers ignore it): ecdsa_secp256r1_sha256,
    // ecdsa_secp384r1_sha384, rsa_pss_rsae_sha256, rsa_pkcs1_sha256, ecdsa_sha1, rsa_pkcs1_sha1
    extension(extensions, 0x000d, new byte[] {0, 12, 4, 3, 5, 3, 8, 4, 4, 1, 2, 3, 2, 1});
    extension(extensions, 0x0017, new byte[0]); // extended_master_secret
    u16(body, extensions.size());
    body.writeBytes(extensions.toByteArray());

    ByteArrayOutputStream record = new ByteArrayOutputStream();
    record.write(0x16);
    u16(record, TLS_1_0); // the record version clients use for a first hello
    u16(record, body.size() + 4);
    record.write(1); // client_hello
    record.write(body.size() >>> 16);
    u16(record, body.size() & 0xffff);
    record.writeBytes(body.toByteArray());
    return record.toByteArray();
  }

  private static int unsigned(byte[] bytes, int index) {
    return index < bytes.length ? bytes[index] & 0xff : -1;
  }

  private static int u16(byte[] bytes, int index) {
    return index + 1 < bytes.length ? (bytes[index] & 0xff) << 8 | bytes[index + 1] & 0xff : -1;
  }

  private static void extension(ByteArrayOutputStream out, int type, byte[] data) {
    u16(out, type);
    u16(out, data.length);
    out.writeBytes(data);
  }

  private static void u16(ByteArrayOutputStream out, int value) {
    out.write(value >>> 8);
    out.write(value & 0xff);
  }
}
