package dev.vkj.core.server.auth;

import java.util.Optional;

/** Decides who sent a request to the kubelet API. See {@link Authenticators} for the built-ins. */
@FunctionalInterface
public interface Authenticator {
  /**
   * The user the credentials prove, or empty when they prove nobody (no certificate, no token). May
   * block (a TokenReview call); never called on an event loop thread.
   *
   * @throws AuthException when credentials were presented but are invalid or cannot be checked; the
   *     request then gets 401 even when anonymous access is enabled
   */
  Optional<UserInfo> authenticate(RequestCredentials credentials) throws AuthException;
}
