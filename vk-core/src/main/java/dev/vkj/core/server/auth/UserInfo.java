package dev.vkj.core.server.auth;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An authenticated caller of the kubelet API.
 *
 * @param name user name, e.g. {@code kube-apiserver-kubelet-client} or {@code
 *     system:serviceaccount:kube-system:metrics-server}
 * @param uid user UID when the authenticator knows it, else empty
 * @param groups group names
 * @param extra extra attributes from a TokenReview, passed on to SubjectAccessReviews
 */
public record UserInfo(
    String name, String uid, List<String> groups, Map<String, List<String>> extra) {
  /** The user name of unauthenticated callers when anonymous access is enabled. */
  public static final String ANONYMOUS = "system:anonymous";

  /** The group of unauthenticated callers. */
  public static final String UNAUTHENTICATED = "system:unauthenticated";

  /** The group every authenticated caller gets. */
  public static final String AUTHENTICATED = "system:authenticated";

  public UserInfo {
    requireNonNull(name, "name is null");
    requireNonNull(uid, "uid is null");
    groups = List.copyOf(groups);
    extra = Map.copyOf(extra);
  }

  public static UserInfo of(String name, List<String> groups) {
    return new UserInfo(name, "", groups, Map.of());
  }

  /** The anonymous user: {@code system:anonymous} in group {@code system:unauthenticated}. */
  public static UserInfo anonymous() {
    return of(ANONYMOUS, List.of(UNAUTHENTICATED));
  }

  /** This user with {@code group} added when it is missing. */
  public UserInfo withGroup(String group) {
    if (groups.contains(group)) {
      return this;
    }
    List<String> all = new ArrayList<>(groups);
    all.add(group);
    return new UserInfo(name, uid, all, extra);
  }
}
