#!/usr/bin/env bash
# Prepare this machine to run task kernels: Debian packages, a running Docker daemon.
# Idempotent and safe to run concurrently (flock); a second run is a no-op in about a second.
# Needs root for apt and dockerd; without root it only reports what is missing.
set -euo pipefail

LOCK=/tmp/mlgym-setup-host.lock
exec 9>"$LOCK"
flock 9

need_pkgs=()
command -v dockerd >/dev/null 2>&1 || need_pkgs+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || need_pkgs+=(debootstrap)
command -v bwrap >/dev/null 2>&1 || need_pkgs+=(bubblewrap)
command -v setpriv >/dev/null 2>&1 || need_pkgs+=(util-linux)
# Task data from Debian's archive (tasks/fashion_mnist/prepare.py reads its IDX files).
[ -d /usr/share/datasets/fashion-mnist ] || need_pkgs+=(dataset-fashion-mnist)
# The browser tests drive JupyterLab in Debian's Chromium (through Playwright).
command -v chromium >/dev/null 2>&1 || need_pkgs+=(chromium)

if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "setup-host: missing ${need_pkgs[*]}; run this script as root (apt-get install -y ${need_pkgs[*]})" >&2
    exit 1
  fi
  echo "setup-host: installing ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

# Debian's policy-rc.d keeps apt from starting services and there is no systemd here,
# so start dockerd ourselves when no daemon answers.
if ! timeout 10 docker info >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "setup-host: no Docker daemon answers; start one (as root: nohup dockerd &)" >&2
    exit 1
  fi
  if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
    rm -f /var/run/docker.pid   # a stale pid file blocks startup
  fi
  echo "setup-host: starting dockerd (log: /var/log/mlgym-dockerd.log)"
  # 9>&-: the daemon must not inherit (and hold forever) the set-up lock.
  nohup setsid dockerd >/var/log/mlgym-dockerd.log 2>&1 </dev/null 9>&- &
  for _ in $(seq 1 240); do
    timeout 10 docker info >/dev/null 2>&1 && break
    sleep 0.25
  done
  if ! timeout 10 docker info >/dev/null 2>&1; then
    echo "setup-host: dockerd did not come up; see /var/log/mlgym-dockerd.log" >&2
    tail -n 20 /var/log/mlgym-dockerd.log >&2 || true
    exit 1
  fi
fi
echo "setup-host: ok (docker $(docker version --format '{{.Server.Version}}'))"
