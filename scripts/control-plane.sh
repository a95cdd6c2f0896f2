#!/usr/bin/env bash
# A local Kubernetes control plane on loopback, with no nodes: etcd, kube-apiserver,
# kube-scheduler and kube-controller-manager. A virtual kubelet registered against it is the
# only node, so every pod scheduled runs on its provider. For trying vkj and for end-to-end
# tests without a cluster. Debian-like machines only.
#
# The Kubernetes binaries are built once from Debian's "kubernetes" source package (v1.20) and
# cached in ~/.cache/vkj-k8s (VKJ_K8S_HOME); etcd comes from Debian's etcd-server package. The
# first build needs root (apt-get) and takes 5-10 minutes; later runs need neither.
#
#   control-plane.sh build        build and cache the binaries
#   control-plane.sh up [DIR]     start everything (or what is not running); writes DIR/env
#   control-plane.sh down [DIR]   stop what 'up' started (by pid file); keeps DIR and its data
#   control-plane.sh status [DIR]
#   control-plane.sh env [DIR]    print the path of DIR/env
#   control-plane.sh stop|start|restart COMPONENT [DIR]
#                                 COMPONENT: etcd, apiserver, scheduler, controller-manager
#
# DIR defaults to $VKJ_CONTROL_PLANE_DIR, else /tmp/vkj-control-plane. DIR/env, to be sourced,
# sets:
#   KUBECONFIG            admin kubeconfig (system:masters, client certificate)
#   VKJ_CLUSTER_CA        the cluster CA certificate; it also signs the API server's client
#                         certificate for kubelets, so it is the kubelet API's client CA
#   VKJ_KUBELET_CERT/KEY  a serving certificate for a kubelet on 127.0.0.1, signed by the CA
#   VKJ_APISERVER_URL     https://127.0.0.1:PORT
# Ports (read at the first 'up' of a DIR, then remembered in DIR/ports): KCP_PORT 6443,
# KCP_ETCD_PORT 23790, KCP_ETCD_PEER 23800, KCP_SCHED_PORT 10259, KCP_CM_PORT 10257.
# KCP_VERIFY_KUBELET=1 makes the API server verify the kubelet's serving certificate against
# the CA (kubeadm clusters do not).
set -euo pipefail

K8S_VERSION=1.20.2
CACHE=${VKJ_K8S_HOME:-$HOME/.cache/vkj-k8s}
BIN=$CACHE/$K8S_VERSION/bin
DEFAULT_DIR=${VKJ_CONTROL_PLANE_DIR:-/tmp/vkj-control-plane}

log() { echo "control-plane: $*" >&2; }

built() {
  [ -x "$BIN/kube-apiserver" ] && [ -x "$BIN/kube-scheduler" ] && [ -x "$BIN/kube-controller-manager" ] \
    && command -v etcd >/dev/null && command -v kubectl >/dev/null && command -v openssl >/dev/null
}

build() {
  built && return 0
  if [ "$(id -u)" != 0 ]; then
    log "the binaries are not built yet and installing the build tools needs root:"
    log "  sudo $0 build"
    exit 1
  fi
  if ! command -v apt-get >/dev/null; then
    log "apt-get not found: this script supports Debian-like systems only"
    exit 1
  fi
  log "building Kubernetes $K8S_VERSION control-plane binaries into $BIN (one time, 5-10 min)"
  export DEBIAN_FRONTEND=noninteractive
  if ! grep -rqs "^Types: deb-src" /etc/apt/sources.list.d/ && ! grep -qs "^deb-src" /etc/apt/sources.list; then
    printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      > /etc/apt/sources.list.d/vkj-deb-src.sources
  fi
  apt-get update -qq >/dev/null
  apt-get install -y -qq golang-go etcd-server rsync openssl make >/dev/null
  command -v kubectl >/dev/null || apt-get install -y -qq kubernetes-client >/dev/null
  local src=$CACHE/src
  mkdir -p "$src" && cd "$src"
  if [ ! -d "kubernetes-$K8S_VERSION" ]; then
    apt-get source --download-only -qq kubernetes >/dev/null 2>&1
    tar xzf kubernetes_*.orig.tar.gz
  fi
  cd "kubernetes-$K8S_VERSION"
  mkdir -p .go/src/k8s.io
  [ -L .go/src/k8s.io/kubernetes ] || ln -s ../../.. .go/src/k8s.io/kubernetes
  rm -rf _output
  env GOPATH="$PWD/.go" CGO_ENABLED=0 HOME="$CACHE/home" GOFLAGS= \
    make WHAT="cmd/kube-apiserver cmd/kube-scheduler cmd/kube-controller-manager" > "$CACHE/build.log" 2>&1 \
    || { tail -30 "$CACHE/build.log" >&2; log "build failed; log: $CACHE/build.log"; exit 1; }
  mkdir -p "$BIN"
  cp _output/bin/kube-apiserver _output/bin/kube-scheduler _output/bin/kube-controller-manager "$BIN/"
  log "built: $(ls "$BIN" | tr '\n' ' ')"
}

pki() { # dir
  mkdir -p "$1/pki"
  ( cd "$1/pki"
    [ -f ca.crt ] && exit 0
    umask 077
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 365 -subj "/CN=vkj-control-plane-ca" 2>/dev/null
    printf '[req]\ndistinguished_name=dn\n[dn]\n[server]\nsubjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n[client]\nextendedKeyUsage=clientAuth\n' > ext.cnf
    issue() { # name subject extension
      openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2" 2>/dev/null
      openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$1.crt" -days 365 \
        -extfile ext.cnf -extensions "$3" 2>/dev/null
      rm -f "$1.csr"
    }
    issue apiserver "/CN=kube-apiserver" server
    issue kubelet-serving "/CN=vkj-kubelet" server
    issue admin "/O=system:masters/CN=admin" client
    issue apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" client
    issue scheduler "/CN=system:kube-scheduler" client
    issue controller-manager "/CN=system:kube-controller-manager" client
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
    chmod 644 ./*.crt sa.pub )
}

kubeconfig() { # dir user port
  printf 'apiVersion: v1\nkind: Config\nclusters:\n- name: vkj\n  cluster: {server: "https://127.0.0.1:%s", certificate-authority: "%s/pki/ca.crt"}\nusers:\n- name: %s\n  user: {client-certificate: "%s/pki/%s.crt", client-key: "%s/pki/%s.key"}\ncontexts:\n- name: vkj\n  context: {cluster: vkj, user: %s}\ncurrent-context: vkj\n' \
    "$3" "$1" "$2" "$1" "$2" "$1" "$2" "$2" > "$1/$2.kubeconfig"
}

ports() { # dir: load the port settings of this control plane, or save them at its first start
  if [ -f "$1/ports" ]; then . "$1/ports"; return 0; fi
  PORT=${KCP_PORT:-6443} ETCD_PORT=${KCP_ETCD_PORT:-23790} ETCD_PEER=${KCP_ETCD_PEER:-23800}
  SCHED_PORT=${KCP_SCHED_PORT:-10259} CM_PORT=${KCP_CM_PORT:-10257} VERIFY_KUBELET=${KCP_VERIFY_KUBELET:-0}
  printf 'PORT=%s ETCD_PORT=%s ETCD_PEER=%s SCHED_PORT=%s CM_PORT=%s VERIFY_KUBELET=%s\n' \
    "$PORT" "$ETCD_PORT" "$ETCD_PEER" "$SCHED_PORT" "$CM_PORT" "$VERIFY_KUBELET" > "$1/ports"
}

running() { [ -f "$1/$2.pid" ] && kill -0 "$(cat "$1/$2.pid")" 2>/dev/null; }

spawn() { # dir name command...
  local d=$1 name=$2; shift 2
  setsid "$@" >> "$d/log/$name.log" 2>&1 < /dev/null &
  echo $! > "$d/$name.pid"
}

start_component() { # dir name
  local d=$1
  ports "$d"
  cd "$d"
  case $2 in
    etcd)
      spawn "$d" etcd etcd --data-dir "$d/etcd" --listen-client-urls "http://127.0.0.1:$ETCD_PORT" \
        --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" --listen-peer-urls "http://127.0.0.1:$ETCD_PEER" \
        --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER" --initial-cluster "default=http://127.0.0.1:$ETCD_PEER"
      local ok=0
      for _ in $(seq 1 50); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$ETCD_PORT") 2>/dev/null; then ok=1; break; fi
        sleep 0.2
      done
      [ $ok = 1 ] || { tail -20 "$d/log/etcd.log" >&2; log "etcd did not start"; exit 1; } ;;
    apiserver)
      local verify=()
      [ "$VERIFY_KUBELET" = 1 ] && verify=(--kubelet-certificate-authority pki/ca.crt)
      spawn "$d" apiserver "$BIN/kube-apiserver" --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
        --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$PORT" \
        --tls-cert-file pki/apiserver.crt --tls-private-key-file pki/apiserver.key --client-ca-file pki/ca.crt \
        --kubelet-client-certificate pki/apiserver-kubelet-client.crt --kubelet-client-key pki/apiserver-kubelet-client.key \
        "${verify[@]}" --kubelet-preferred-address-types InternalIP,Hostname \
        --service-account-key-file pki/sa.pub --service-account-signing-key-file pki/sa.key \
        --service-account-issuer https://kubernetes.default.svc --service-cluster-ip-range 10.0.0.0/24 \
        --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction
      local ok=0
      for _ in $(seq 1 90); do
        if kubectl --kubeconfig "$d/admin.kubeconfig" get --raw /readyz >/dev/null 2>&1; then ok=1; break; fi
        sleep 1
      done
      [ $ok = 1 ] || { tail -20 "$d/log/apiserver.log" >&2; log "apiserver did not become ready"; exit 1; } ;;
    scheduler)
      # --port 0: no insecure port, so several control planes can run side by side
      spawn "$d" scheduler "$BIN/kube-scheduler" --kubeconfig "$d/scheduler.kubeconfig" \
        --bind-address 127.0.0.1 --secure-port "$SCHED_PORT" --port 0 --leader-elect=false ;;
    controller-manager)
      spawn "$d" controller-manager "$BIN/kube-controller-manager" --kubeconfig "$d/controller-manager.kubeconfig" \
        --bind-address 127.0.0.1 --secure-port "$CM_PORT" --port 0 --leader-elect=false \
        --service-account-private-key-file pki/sa.key --root-ca-file pki/ca.crt \
        --cluster-signing-cert-file pki/ca.crt --cluster-signing-key-file pki/ca.key \
        --use-service-account-credentials --controllers '*,-nodeipam,-cloud-node-lifecycle' ;;
    *) log "unknown component '$2' (etcd, apiserver, scheduler, controller-manager)"; exit 2 ;;
  esac
}

stop_component() { # dir name
  local d=$1 pid
  [ -f "$d/$2.pid" ] || return 0
  pid=$(cat "$d/$2.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$d/$2.pid"
}

up() {
  local d=${1:-$DEFAULT_DIR}
  build
  mkdir -p "$d/log" "$d/etcd"
  d=$(cd "$d" && pwd)
  ports "$d"
  pki "$d"
  for u in admin scheduler controller-manager; do kubeconfig "$d" "$u" "$PORT"; done
  for c in etcd apiserver scheduler controller-manager; do
    running "$d" "$c" || start_component "$d" "$c"
  done
  # pods can only be created in a namespace once its default service account exists
  for _ in $(seq 1 60); do
    kubectl --kubeconfig "$d/admin.kubeconfig" -n default get serviceaccount default >/dev/null 2>&1 && break
    sleep 1
  done
  printf 'export KUBECONFIG=%s\nexport VKJ_APISERVER_URL=https://127.0.0.1:%s\nexport VKJ_CLUSTER_CA=%s\nexport VKJ_KUBELET_CERT=%s\nexport VKJ_KUBELET_KEY=%s\n' \
    "$d/admin.kubeconfig" "$PORT" "$d/pki/ca.crt" "$d/pki/kubelet-serving.crt" "$d/pki/kubelet-serving.key" > "$d/env"
  log "up: source $d/env"
  echo "$d/env"
}

down() {
  local d=${1:-$DEFAULT_DIR}
  for n in controller-manager scheduler apiserver etcd; do stop_component "$d" $n; done
}

status() {
  local d=${1:-$DEFAULT_DIR} all=0
  for n in etcd apiserver scheduler controller-manager; do
    if running "$d" $n; then echo "$n running"; else echo "$n stopped"; all=1; fi
  done
  return $all
}

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

case "${1:-}" in
  build) build ;;
  up) up "${2:-}" ;;
  down) down "${2:-$DEFAULT_DIR}" ;;
  status) status "${2:-}" ;;
  env) echo "${2:-$DEFAULT_DIR}/env" ;;
  stop) stop_component "${3:-$DEFAULT_DIR}" "${2:?component}" ;;
  start) build; start_component "${3:-$DEFAULT_DIR}" "${2:?component}" ;;
  restart) stop_component "${3:-$DEFAULT_DIR}" "${2:?component}"; start_component "${3:-$DEFAULT_DIR}" "$2" ;;
  -h|--help|help) usage ;;
  *) usage >&2; exit 2 ;;
esac
