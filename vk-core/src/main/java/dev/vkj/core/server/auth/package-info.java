/**
 * Authentication and authorization of kubelet API requests: client certificates, TokenReview and
 * SubjectAccessReview ({@link dev.vkj.core.server.auth.Authenticators}, {@link
 * dev.vkj.core.server.auth.Authorizers}), plus PEM and self-signed certificate helpers.
 */
package dev.vkj.core.server.auth;
