package dev.vkj.provider.mock;

import dev.vkj.spi.ProviderException;
import java.util.BitSet;

/**
 * Pod IPs from one IPv4 CIDR. Skips the network address, the first host (the gateway) and the
 * broadcast address; never hands out an address twice; allocation is next-fit so a released address
 * is not reused at once.
 */
final class IpPool {
  private final String cidr;
  private final long base;
  private final int size;
  private final BitSet used;
  private int cursor;

  private IpPool(String cidr, long base, int size) {
    this.cidr = cidr;
    this.base = base;
    this.size = size;
    this.used = new BitSet(size);
    // network address and gateway
    used.set(0);
    if (size > 2) {
      used.set(1);
    }
    used.set(size - 1);
    this.cursor = 2;
  }

  /** Parses {@code a.b.c.d/n} with n from 8 to 30; null when it is not such a CIDR. */
  static IpPool parse(String cidr) {
    String text = cidr.strip();
    int slash = text.indexOf('/');
    if (slash < 0) {
      return null;
    }
    int prefix;
    try {
      prefix = Integer.parseInt(text.substring(slash + 1));
    } catch (NumberFormatException e) {
      return null;
    }
    if (prefix < 8 || prefix > 30) {
      return null;
    }
    Long address = toLong(text.substring(0, slash));
    if (address == null) {
      return null;
    }
    long mask = (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
    return new IpPool(text, address & mask, 1 << (32 - prefix));
  }

  synchronized String allocate() throws ProviderException {
    int free = used.nextClearBit(cursor);
    if (free >= size) {
      free = used.nextClearBit(0);
    }
    if (free >= size) {
      throw ProviderException.transientError(
          "no free pod IP left in " + cidr + "; delete pods or configure a larger podCidr", null);
    }
    used.set(free);
    cursor = free + 1;
    return toText(base + free);
  }

  /** Marks an address as used (pods loaded from the state file); false if outside the CIDR. */
  synchronized boolean reserve(String ip) {
    Long address = toLong(ip);
    if (address == null || address < base || address >= base + size) {
      return false;
    }
    used.set((int) (address - base));
    return true;
  }

  synchronized void release(String ip) {
    Long address = toLong(ip);
    if (address == null || address < base || address >= base + size) {
      return;
    }
    int offset = (int) (address - base);
    if (offset > 1 && offset < size - 1) {
      used.clear(offset);
    }
  }

  private static Long toLong(String ip) {
    String[] parts = ip.strip().split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    long value = 0;
    for (String part : parts) {
      if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
        return null;
      }
      int octet = Integer.parseInt(part);
      if (octet > 255) {
        return null;
      }
      value = (value << 8) | octet;
    }
    return value;
  }

  private static String toText(long address) {
    return ((address >> 24) & 0xFF)
        + "."
        + ((address >> 16) & 0xFF)
        + "."
        + ((address >> 8) & 0xFF)
        + "."
        + (address & 0xFF);
  }
}
