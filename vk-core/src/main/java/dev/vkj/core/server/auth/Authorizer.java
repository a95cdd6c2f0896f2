package dev.vkj.core.server.auth;

/** Decides whether a user may make a request. See {@link Authorizers} for the built-ins. */
@FunctionalInterface
public interface Authorizer {
  /**
   * Whether {@code user} may do what {@code attributes} describe. May block (a SubjectAccessReview
   * call); never called on an event loop thread.
   *
   * @throws AuthException when the decision cannot be made; the request then gets 500
   */
  Decision authorize(UserInfo user, RequestAttributes attributes) throws AuthException;
}
