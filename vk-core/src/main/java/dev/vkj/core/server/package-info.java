/**
 * The kubelet HTTPS API of a virtual node: {@link dev.vkj.core.server.KubeletServer}, configured by
 * {@link dev.vkj.core.server.KubeletServerConfig}.
 *
 * <p>The server authenticates and authorizes every request like the kubelet's webhook mode (see
 * {@link dev.vkj.core.server.auth}), serves logs, pods, stats and resource metrics from the
 * provider, and hands exec, attach and port-forward connections to a {@link
 * dev.vkj.core.server.stream.StreamHandler}.
 */
package dev.vkj.core.server;
