package dev.vkj.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

class RequestKeyTest {
  private static String key(String method, String uri) {
    return RequestKey.of(method, URI.create(uri));
  }

  @Test
  void namesRequestsAsTheApiServerMetricDoes() {
    String base = "https://127.0.0.1:6443";
    assertThat(key("GET", base + "/api/v1/namespaces/ns/pods/p")).isEqualTo("GET pods");
    assertThat(key("GET", base + "/api/v1/pods?fieldSelector=spec.nodeName%3Dn"))
        .isEqualTo("LIST pods");
    assertThat(key("GET", base + "/api/v1/pods?fieldSelector=x&watch=true&resourceVersion=5"))
        .isEqualTo("WATCH pods");
    assertThat(key("POST", base + "/api/v1/namespaces/ns/pods")).isEqualTo("POST pods");
    assertThat(key("PATCH", base + "/api/v1/namespaces/ns/pods/p/status"))
        .isEqualTo("PATCH pods/status");
    assertThat(key("DELETE", base + "/api/v1/namespaces/ns/pods/p")).isEqualTo("DELETE pods");
    assertThat(key("DELETE", base + "/api/v1/namespaces/ns/pods?labelSelector=a%3Db"))
        .isEqualTo("DELETECOLLECTION pods");
    assertThat(
            key("PUT", base + "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n"))
        .isEqualTo("PUT leases");
    assertThat(key("PATCH", base + "/api/v1/nodes/n/status")).isEqualTo("PATCH nodes/status");
    assertThat(key("GET", base + "/api/v1/namespaces/ns")).isEqualTo("GET namespaces");
    assertThat(key("get", base + "/api/v1/namespaces")).isEqualTo("LIST namespaces");
  }

  @Test
  void pathsThatAreNotResourcesKeepTheirPath() {
    assertThat(key("GET", "https://h/version")).isEqualTo("GET /version");
    assertThat(key("GET", "https://h/metrics")).isEqualTo("GET /metrics");
    assertThat(key("GET", "https://h/api/v1")).isEqualTo("GET /api/v1");
  }

  @Test
  void theCounterCountsByKey() {
    RequestCounter counter = new RequestCounter();
    counter.count("PATCH pods/status");
    counter.count("PATCH pods/status");
    counter.count("DELETE pods");
    assertThat(counter.snapshot())
        .containsEntry("PATCH pods/status", 2L)
        .containsEntry("DELETE pods", 1L);
    assertThat(counter.failures()).isEmpty();
  }
}
