package dev.vkj.core.pod;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.ClusterResources;
import dev.vkj.spi.ProviderException;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapEnvSource;
import io.fabric8.kubernetes.api.model.ConfigMapKeySelector;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.EnvVarSourceBuilder;
import io.fabric8.kubernetes.api.model.ObjectFieldSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceFieldSelector;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretEnvSource;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Resolves container environments the way the kubelet does (envFrom, env, ConfigMap and Secret
 * references, downward API, service links, {@code $(VAR)} expansion) and writes the result as
 * literal {@code env} values.
 *
 * <p>Secret provenance ({@link dev.vkj.spi.SecretEnv}): a variable whose value came from a Secret
 * keeps a {@code valueFrom.secretKeyRef} naming that Secret and data key next to its {@code value}.
 * A variable whose value is composed by {@code $(VAR)} expansion from one or more secret values is
 * secret too and points at the first Secret it used: a value that contains a secret is never
 * classed as plain. Every other variable has only a {@code value}.
 */
final class EnvResolver {
  private static final Pattern ENV_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");
  private static final Pattern SUBSCRIPT =
      Pattern.compile("metadata\\.(labels|annotations)\\['(.*)'\\]");
  static final String MASTER_NAMESPACE = "default";
  static final String MASTER_SERVICE = "kubernetes";

  /** The Services of a namespace; empty when there are none. */
  @FunctionalInterface
  interface ServiceLister {
    List<Service> services(String namespace) throws ProviderException;
  }

  /** A warning to record as an event on the pod. */
  record Warning(String reason, String message) {}

  /** A container whose environment cannot be built; the kubelet's CreateContainerConfigError. */
  static final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String container;

    ConfigException(String container, String message) {
      super(message);
      this.container = container;
    }

    String container() {
      return container;
    }
  }

  private final ClusterResources resources;
  private final ServiceLister services;
  private final Supplier<String> hostIp;
  private final Supplier<Map<String, Quantity>> nodeAllocatable;

  EnvResolver(
      ClusterResources resources,
      ServiceLister services,
      Supplier<String> hostIp,
      Supplier<Map<String, Quantity>> nodeAllocatable) {
    this.resources = requireNonNull(resources, "resources is null");
    this.services = requireNonNull(services, "services is null");
    this.hostIp = requireNonNull(hostIp, "hostIp is null");
    this.nodeAllocatable = requireNonNull(nodeAllocatable, "nodeAllocatable is null");
  }

  /**
   * Replaces every container's environment in {@code pod} (a copy the caller owns) by literal
   * values and returns the warnings to record.
   */
  List<Warning> resolve(Pod pod) throws ConfigException, ProviderException {
    List<Warning> warnings = new ArrayList<>();
    Map<String, String> serviceEnv = serviceEnv(pod);
    for (Container c : KubeletStatus.list(pod.getSpec().getInitContainers())) {
      resolveContainer(pod, c, serviceEnv, warnings);
    }
    for (Container c : KubeletStatus.list(pod.getSpec().getContainers())) {
      resolveContainer(pod, c, serviceEnv, warnings);
    }
    return warnings;
  }

  private void resolveContainer(
      Pod pod, Container c, Map<String, String> serviceEnv, List<Warning> warnings)
      throws ConfigException, ProviderException {
    String ns = pod.getMetadata().getNamespace();
    LinkedHashMap<String, String> env = new LinkedHashMap<>();
    // where each secret-derived variable of env came from; absent for plain values
    Map<String, SecretKeySelector> secretSources = new HashMap<>();
    for (EnvFromSource from : KubeletStatus.list(c.getEnvFrom())) {
      String prefix = from.getPrefix() == null ? "" : from.getPrefix();
      Map<String, String> data;
      String kind;
      String name;
      Boolean optional = null;
      if (from.getConfigMapRef() != null) {
        ConfigMapEnvSource ref = from.getConfigMapRef();
        kind = "configMap";
        name = ref.getName();
        Optional<ConfigMap> cm = resources.configMap(ns, name);
        if (cm.isEmpty()) {
          if (Boolean.TRUE.equals(ref.getOptional())) {
            continue;
          }
          throw new ConfigException(c.getName(), "configmap \"" + name + "\" not found");
        }
        data = cm.get().getData() == null ? Map.of() : cm.get().getData();
      } else if (from.getSecretRef() != null) {
        SecretEnvSource ref = from.getSecretRef();
        kind = "secret";
        name = ref.getName();
        optional = ref.getOptional();
        Optional<Secret> secret = resources.secret(ns, name);
        if (secret.isEmpty()) {
          if (Boolean.TRUE.equals(ref.getOptional())) {
            continue;
          }
          throw new ConfigException(c.getName(), "secret \"" + name + "\" not found");
        }
        data = secretData(secret.get());
      } else {
        continue;
      }
      List<String> invalid = new ArrayList<>();
      for (Map.Entry<String, String> e : new TreeMap<>(data).entrySet()) {
        String key = prefix + e.getKey();
        if (!ENV_NAME.matcher(key).matches()) {
          invalid.add(key);
          continue;
        }
        env.put(key, e.getValue());
        if ("secret".equals(kind)) {
          // the variable name carries the prefix; the selector names the Secret's own data key
          secretSources.put(key, new SecretKeySelector(e.getKey(), name, optional));
        } else {
          secretSources.remove(key);
        }
      }
      if (!invalid.isEmpty()) {
        warnings.add(
            new Warning(
                "InvalidEnvironmentVariableNames",
                "Keys ["
                    + String.join(", ", invalid)
                    + "] from the EnvFrom "
                    + kind
                    + " "
                    + ns
                    + "/"
                    + name
                    + " were skipped since they are considered invalid environment variable"
                    + " names."));
      }
    }

    for (EnvVar var : KubeletStatus.list(c.getEnv())) {
      String value;
      SecretKeySelector source = null;
      if (var.getValueFrom() == null) {
        List<String> used = new ArrayList<>();
        value = expand(var.getValue() == null ? "" : var.getValue(), env, serviceEnv, used::add);
        for (String name : used) {
          source = secretSources.get(name);
          if (source != null) {
            break; // the first secret the value was composed from
          }
        }
      } else {
        Optional<String> resolved = valueFrom(pod, c, var.getValueFrom());
        if (resolved.isEmpty()) {
          continue; // optional source or key missing
        }
        value = resolved.get();
        SecretKeySelector ref = var.getValueFrom().getSecretKeyRef();
        if (ref != null) {
          source = new SecretKeySelector(ref.getKey(), ref.getName(), ref.getOptional());
        }
      }
      env.put(var.getName(), value);
      if (source == null) {
        secretSources.remove(var.getName());
      } else {
        secretSources.put(var.getName(), source);
      }
    }

    List<EnvVar> out = new ArrayList<>();
    env.forEach((k, v) -> out.add(resolvedVar(k, v, secretSources.get(k))));
    serviceEnv.forEach(
        (k, v) -> {
          if (!env.containsKey(k)) {
            out.add(new EnvVar(k, v, null));
          }
        });
    c.setEnv(out);
    c.setEnvFrom(new ArrayList<>());
    Map<String, String> all = new HashMap<>(serviceEnv);
    all.putAll(env);
    if (c.getCommand() != null) {
      c.setCommand(c.getCommand().stream().map(s -> expand(s, all, Map.of())).toList());
    }
    if (c.getArgs() != null) {
      c.setArgs(c.getArgs().stream().map(s -> expand(s, all, Map.of())).toList());
    }
  }

  private Optional<String> valueFrom(Pod pod, Container c, EnvVarSource src)
      throws ConfigException, ProviderException {
    String ns = pod.getMetadata().getNamespace();
    if (src.getConfigMapKeyRef() != null) {
      ConfigMapKeySelector ref = src.getConfigMapKeyRef();
      boolean optional = Boolean.TRUE.equals(ref.getOptional());
      Optional<ConfigMap> cm = resources.configMap(ns, ref.getName());
      if (cm.isEmpty()) {
        if (optional) {
          return Optional.empty();
        }
        throw new ConfigException(c.getName(), "configmap \"" + ref.getName() + "\" not found");
      }
      Map<String, String> data = cm.get().getData() == null ? Map.of() : cm.get().getData();
      String v = data.get(ref.getKey());
      if (v == null) {
        if (optional) {
          return Optional.empty();
        }
        throw new ConfigException(
            c.getName(),
            "couldn't find key " + ref.getKey() + " in ConfigMap " + ns + "/" + ref.getName());
      }
      return Optional.of(v);
    }
    if (src.getSecretKeyRef() != null) {
      SecretKeySelector ref = src.getSecretKeyRef();
      boolean optional = Boolean.TRUE.equals(ref.getOptional());
      Optional<Secret> secret = resources.secret(ns, ref.getName());
      if (secret.isEmpty()) {
        if (optional) {
          return Optional.empty();
        }
        throw new ConfigException(c.getName(), "secret \"" + ref.getName() + "\" not found");
      }
      String v = secretData(secret.get()).get(ref.getKey());
      if (v == null) {
        if (optional) {
          return Optional.empty();
        }
        throw new ConfigException(
            c.getName(),
            "couldn't find key " + ref.getKey() + " in Secret " + ns + "/" + ref.getName());
      }
      return Optional.of(v);
    }
    if (src.getFieldRef() != null) {
      return Optional.of(fieldRef(pod, c, src.getFieldRef()));
    }
    if (src.getResourceFieldRef() != null) {
      return Optional.of(resourceFieldRef(pod, c, src.getResourceFieldRef()));
    }
    throw new ConfigException(c.getName(), "unsupported valueFrom source in env of " + c.getName());
  }

  private String fieldRef(Pod pod, Container c, ObjectFieldSelector ref) throws ConfigException {
    String path = ref.getFieldPath() == null ? "" : ref.getFieldPath();
    var meta = pod.getMetadata();
    var status = pod.getStatus();
    switch (path) {
      case "metadata.name":
        return nz(meta.getName());
      case "metadata.namespace":
        return nz(meta.getNamespace());
      case "metadata.uid":
        return nz(meta.getUid());
      case "spec.nodeName":
        return nz(pod.getSpec().getNodeName());
      case "spec.serviceAccountName":
        return nz(pod.getSpec().getServiceAccountName());
      case "status.hostIP":
        return nz(hostIp.get());
      case "status.podIP":
        return status == null ? "" : nz(status.getPodIP());
      case "status.podIPs":
        if (status == null) {
          return "";
        }
        if (status.getPodIPs() == null || status.getPodIPs().isEmpty()) {
          return nz(status.getPodIP());
        }
        return status.getPodIPs().stream()
            .map(PodIP::getIp)
            .filter(ip -> ip != null && !ip.isEmpty())
            .collect(Collectors.joining(","));
      default:
        Matcher m = SUBSCRIPT.matcher(path);
        if (m.matches()) {
          Map<String, String> map =
              "labels".equals(m.group(1)) ? meta.getLabels() : meta.getAnnotations();
          return map == null ? "" : nz(map.get(m.group(2)));
        }
        throw new ConfigException(c.getName(), "unsupported fieldPath: " + path);
    }
  }

  private String resourceFieldRef(Pod pod, Container self, ResourceFieldSelector ref)
      throws ConfigException {
    String containerName =
        ref.getContainerName() == null || ref.getContainerName().isEmpty()
            ? self.getName()
            : ref.getContainerName();
    Container c =
        java.util.stream.Stream.concat(
                KubeletStatus.list(pod.getSpec().getContainers()).stream(),
                KubeletStatus.list(pod.getSpec().getInitContainers()).stream())
            .filter(x -> containerName.equals(x.getName()))
            .findFirst()
            .orElseThrow(
                () ->
                    new ConfigException(
                        self.getName(), "container " + containerName + " not found in pod"));
    String resource = ref.getResource() == null ? "" : ref.getResource();
    int dot = resource.indexOf('.');
    if (dot < 0) {
      throw new ConfigException(self.getName(), "unsupported resource: " + resource);
    }
    String kind = resource.substring(0, dot);
    String name = resource.substring(dot + 1);
    Map<String, Quantity> values =
        c.getResources() == null
            ? null
            : "limits".equals(kind) ? c.getResources().getLimits() : c.getResources().getRequests();
    BigDecimal amount = amount(values == null ? null : values.get(name));
    if ("limits".equals(kind) && (amount == null || amount.signum() == 0)) {
      Map<String, Quantity> node = nodeAllocatable.get();
      amount = node == null ? null : amount(node.get(name));
    } else if (!"limits".equals(kind) && !"requests".equals(kind)) {
      throw new ConfigException(self.getName(), "unsupported resource: " + resource);
    }
    if (amount == null) {
      amount = BigDecimal.ZERO;
    }
    BigDecimal divisor = amount(ref.getDivisor());
    if (divisor == null || divisor.signum() == 0) {
      divisor = BigDecimal.ONE;
    }
    return amount.divide(divisor, 0, RoundingMode.CEILING).toPlainString();
  }

  /** Service-link variables of the pod (kubelet §7.6). */
  Map<String, String> serviceEnv(Pod pod) throws ProviderException {
    String ns = pod.getMetadata().getNamespace();
    boolean links = !Boolean.FALSE.equals(pod.getSpec().getEnableServiceLinks());
    Map<String, Service> byName = new TreeMap<>();
    for (Service s : services.services(MASTER_NAMESPACE)) {
      if (MASTER_SERVICE.equals(s.getMetadata().getName())) {
        byName.put(MASTER_SERVICE, s);
      }
    }
    if (links) {
      for (Service s : services.services(ns)) {
        byName.put(s.getMetadata().getName(), s);
      }
    }
    Map<String, String> env = new LinkedHashMap<>();
    for (Service s : byName.values()) {
      String ip = s.getSpec() == null ? null : s.getSpec().getClusterIP();
      if (ip == null || ip.isEmpty() || "None".equals(ip)) {
        continue;
      }
      List<ServicePort> ports = KubeletStatus.list(s.getSpec().getPorts());
      String prefix = s.getMetadata().getName().toUpperCase(Locale.ROOT).replace('-', '_');
      env.put(prefix + "_SERVICE_HOST", ip);
      if (ports.isEmpty()) {
        continue;
      }
      env.put(prefix + "_SERVICE_PORT", String.valueOf(ports.get(0).getPort()));
      for (ServicePort p : ports) {
        if (p.getName() != null && !p.getName().isEmpty()) {
          env.put(
              prefix + "_SERVICE_PORT_" + p.getName().toUpperCase(Locale.ROOT).replace('-', '_'),
              String.valueOf(p.getPort()));
        }
      }
      String host = ip.contains(":") ? "[" + ip + "]" : ip;
      ServicePort first = ports.get(0);
      env.put(
          prefix + "_PORT",
          proto(first).toLowerCase(Locale.ROOT) + "://" + host + ":" + first.getPort());
      for (ServicePort p : ports) {
        String proto = proto(p);
        String base = prefix + "_PORT_" + p.getPort() + "_" + proto.toUpperCase(Locale.ROOT);
        env.put(base, proto.toLowerCase(Locale.ROOT) + "://" + host + ":" + p.getPort());
        env.put(base + "_PROTO", proto.toLowerCase(Locale.ROOT));
        env.put(base + "_PORT", String.valueOf(p.getPort()));
        env.put(base + "_ADDR", ip);
      }
    }
    return env;
  }

  /** The kubelet's {@code $(VAR)} expansion: unknown references stay, {@code $$} escapes. */
  static String expand(String in, Map<String, String> first, Map<String, String> second) {
    return expand(in, first, second, name -> {});
  }

  /** Like {@link #expand(String, Map, Map)}; {@code used} gets each variable that was replaced. */
  static String expand(
      String in,
      Map<String, String> first,
      Map<String, String> second,
      java.util.function.Consumer<String> used) {
    StringBuilder out = new StringBuilder(in.length());
    int i = 0;
    while (i < in.length()) {
      char ch = in.charAt(i);
      if (ch != '$' || i + 1 >= in.length()) {
        out.append(ch);
        i++;
        continue;
      }
      char next = in.charAt(i + 1);
      if (next == '$') {
        out.append('$');
        i += 2;
      } else if (next == '(') {
        int close = in.indexOf(')', i + 2);
        if (close < 0) {
          out.append(in, i, in.length());
          break;
        }
        String name = in.substring(i + 2, close);
        String v = first.get(name);
        if (v == null) {
          v = second.get(name);
        }
        if (v != null) {
          used.accept(name);
        }
        out.append(v != null ? v : in.substring(i, close + 1));
        i = close + 1;
      } else {
        out.append(ch);
        i++;
      }
    }
    return out.toString();
  }

  /** A resolved variable: the literal value, and where it came from when that was a Secret. */
  private static EnvVar resolvedVar(String name, String value, SecretKeySelector secret) {
    if (secret == null) {
      return new EnvVar(name, value, null);
    }
    return new EnvVar(
        name,
        value,
        new EnvVarSourceBuilder()
            .withSecretKeyRef(
                new SecretKeySelector(secret.getKey(), secret.getName(), secret.getOptional()))
            .build());
  }

  private static String proto(ServicePort p) {
    return p.getProtocol() == null || p.getProtocol().isEmpty() ? "TCP" : p.getProtocol();
  }

  private static Map<String, String> secretData(Secret s) {
    Map<String, String> out = new HashMap<>();
    if (s.getStringData() != null) {
      out.putAll(s.getStringData());
    }
    if (s.getData() != null) {
      for (Map.Entry<String, String> e : s.getData().entrySet()) {
        if (e.getValue() == null) {
          continue;
        }
        try {
          out.put(
              e.getKey(),
              new String(Base64.getMimeDecoder().decode(e.getValue()), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException bad) {
          out.put(e.getKey(), e.getValue());
        }
      }
    }
    return out;
  }

  private static BigDecimal amount(Quantity q) {
    if (q == null) {
      return null;
    }
    try {
      return q.getNumericalAmount();
    } catch (ArithmeticException | IllegalArgumentException e) {
      return null;
    }
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  static Comparator<EnvVar> byName() {
    return Comparator.comparing(e -> String.valueOf(e.getName()));
  }
}
