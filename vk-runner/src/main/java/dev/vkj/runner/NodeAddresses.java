package dev.vkj.runner;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.Enumeration;

/** Finds the default node IP. */
final class NodeAddresses {
  private static final String LOOPBACK = "127.0.0.1";

  private NodeAddresses() {}

  /** The first IPv4 address of an up, non-loopback interface, else {@code 127.0.0.1}. */
  static String firstNonLoopbackIpv4() {
    try {
      Enumeration<NetworkInterface> interfaces = NetworkInterface.getNetworkInterfaces();
      if (interfaces == null) {
        return LOOPBACK;
      }
      for (NetworkInterface nic : Collections.list(interfaces)) {
        if (!nic.isUp() || nic.isLoopback()) {
          continue;
        }
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
            return address.getHostAddress();
          }
        }
      }
    } catch (SocketException e) {
      // no interface list (restricted environments): fall back to loopback
    }
    return LOOPBACK;
  }
}
