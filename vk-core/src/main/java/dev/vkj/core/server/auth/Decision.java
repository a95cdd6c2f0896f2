package dev.vkj.core.server.auth;

/** The answer of an {@link Authorizer}. */
public enum Decision {
  ALLOW,
  DENY
}
