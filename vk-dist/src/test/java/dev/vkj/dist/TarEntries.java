package dev.vkj.dist;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/** The entries of a {@code .tar.gz} (ustar and POSIX pax headers), name to mode. */
final class TarEntries {
  private static final int BLOCK = 512;

  private TarEntries() {}

  /** Every entry's name (a pax {@code path} record wins over the header's) and mode bits. */
  static Map<String, Integer> read(Path archive) throws IOException {
    Map<String, Integer> entries = new LinkedHashMap<>();
    try (InputStream in =
        new GZIPInputStream(new BufferedInputStream(Files.newInputStream(archive)))) {
      String paxPath = null;
      byte[] header = new byte[BLOCK];
      while (in.readNBytes(header, 0, BLOCK) == BLOCK && header[0] != 0) {
        String name = text(header, 0, 100);
        int mode = (int) octal(header, 100, 8);
        long size = octal(header, 124, 12);
        char type = (char) header[156];
        String prefix = text(header, 345, 155);
        byte[] data = in.readNBytes((int) size);
        in.skipNBytes((BLOCK - size % BLOCK) % BLOCK);
        if (type == 'x') {
          paxPath = paxPath(new String(data, StandardCharsets.UTF_8));
          continue;
        }
        String full = paxPath != null ? paxPath : prefix.isEmpty() ? name : prefix + "/" + name;
        paxPath = null;
        entries.put(full, mode);
      }
    }
    return entries;
  }

  /** Records are "LEN key=value\n". */
  private static String paxPath(String records) {
    for (String record : records.split("\n")) {
      int space = record.indexOf(' ');
      if (space > 0 && record.startsWith("path=", space + 1)) {
        return record.substring(space + 1 + "path=".length());
      }
    }
    return null;
  }

  private static String text(byte[] header, int offset, int length) {
    int end = offset;
    while (end < offset + length && header[end] != 0) {
      end++;
    }
    return new String(header, offset, end - offset, StandardCharsets.UTF_8);
  }

  private static long octal(byte[] header, int offset, int length) {
    String digits = text(header, offset, length).trim();
    return digits.isEmpty() ? 0 : Long.parseLong(digits, 8);
  }
}
