package dev.vkj.provider.fargate;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;

/**
 * What it takes to run one pod as a Fargate task: the task definition to register (or reuse), and
 * the secret values to store before the task starts.
 *
 * @param definition the task definition, family set, without tags; it holds no secret values
 *     (secrets are references to {@link #parameters})
 * @param family the task definition family: the node's prefix, namespace, owner and the first 12
 *     hex digits of {@link #contentHash}
 * @param contentHash the SHA-256 (hex) of everything in the definition but family and tags; pods
 *     with equal specs get equal hashes, whatever their names, UIDs or secret values
 * @param parameters the SSM parameters the definition's {@code secrets} read, one per name
 * @param capacityProvider {@code FARGATE_SPOT} or {@code FARGATE} when the pod asks for one with
 *     the annotation {@code vkj.dev/capacity-provider}; empty means launch type {@code FARGATE}
 * @param initContainers the names of the pod's init containers, in spec order
 */
record TaskPlan(
    RegisterTaskDefinitionRequest definition,
    String family,
    String contentHash,
    List<SecretParameter> parameters,
    Optional<String> capacityProvider,
    Set<String> initContainers) {
  TaskPlan {
    requireNonNull(definition, "definition is null");
    requireNonNull(family, "family is null");
    requireNonNull(contentHash, "contentHash is null");
    parameters = List.copyOf(requireNonNull(parameters, "parameters is null"));
    requireNonNull(capacityProvider, "capacityProvider is null");
    // kept in spec order: status mapping and tags list init containers in the order they run
    initContainers =
        Collections.unmodifiableSet(
            new LinkedHashSet<>(requireNonNull(initContainers, "initContainers is null")));
  }
}
