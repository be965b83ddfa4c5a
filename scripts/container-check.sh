#!/usr/bin/env bash
# Builds the Dockerfile with podman and runs the image on 127.0.0.1, for a machine that has no
# Docker engine and cannot pull from container registries.
#
#   sudo bash scripts/container-check.sh [--no-compose] [--online] [--keep]
#
# The base images are local stand-ins, not the published ones:
#   docker.io/oven/bun:1.4          Debian bookworm (debootstrap, variant minbase) plus the host's
#                                   bun binary at /usr/local/bin/bun
#   gcr.io/distroless/base-debian12:nonroot
#                                   libc6, libssl3, netbase, tzdata and Mozilla's CA bundle from
#                                   Debian packages, users root/nobody/nonroot (65532), no shell
#   docker.io/library/redis:7       Debian bookworm with Debian's redis-server (compose only)
# A base image that already exists and was not made by this script is used as it is.
#
# Checks: the image builds with `--network=none` from a prefilled Bun cache (or over the
# network with --online), has a HEALTHCHECK and no /bin/sh, `check-config` passes, and the
# container runs as uid 65532, answers /healthz and /readyz, creates a challenge and serves its
# page, passes `podman healthcheck run`, keeps a SQLite file on a volume mounted at /data, and
# exits 0 within 20 s of `podman stop`. Then compose.yaml runs under podman-compose with Redis.
#
# Needs root, podman, runc, podman-compose, debootstrap, apt-get, curl, jq, openssl and bun 1.4,
# plus the Debian mirror and the npm registry. It removes every container, volume, network,
# image and temporary folder it created, also after a failure, unless --keep is given.
# Exit status: 0 when every check passed, 1 on a failed check, 2 on invalid flags or a
# missing tool.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
debian_mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
debian_suite=bookworm
stand_in_label=org.askgate.container-check.stand-in
built_label=org.askgate.container-check.built

bun_image=docker.io/oven/bun:1.4
distroless_image=gcr.io/distroless/base-debian12:nonroot
redis_image=docker.io/library/redis:7
app_image=localhost/askgate:container-check
compose_app_image=localhost/askgate:local
container=askgate-container-check
data_volume=askgate-container-check-data
compose_project=askgate-container-check
stop_timeout_s=20

run_compose=1
online=0
keep=0
work_dir=''

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
}

for arg in "$@"; do
  case $arg in
    --no-compose) run_compose=0 ;;
    --online) online=1 ;;
    --keep) keep=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown option: $arg (use --no-compose, --online, --keep or --help)" >&2; exit 2 ;;
  esac
done

log() { printf '== %s\n' "$*"; }
fail() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

require_tools() {
  if [[ $(id -u) -ne 0 ]]; then
    echo 'container-check.sh must run as root (podman import, debootstrap, chown to 65532).' >&2
    exit 2
  fi
  local tool missing=()
  for tool in podman runc debootstrap apt-get dpkg-deb curl jq openssl bun timeout "$@"; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  if ((${#missing[@]} > 0)); then
    echo "missing tools: ${missing[*]} (Debian: apt-get install podman runc podman-compose debootstrap curl jq)" >&2
    exit 2
  fi
  if [[ $(bun --version) != 1.4.* ]]; then
    echo "bun $(bun --version) found, but the stand-in for oven/bun:1.4 needs bun 1.4.x" >&2
    exit 2
  fi
}

# Runs every podman call, including those of podman-compose, with this script's settings.
# runc, because crun 1.8 (Debian 12) rejects hosts whose cgroup v2 hierarchy has controllers
# next to cgroup v1 ("cgroups in hybrid mode not supported"). Explicit ulimits, because podman
# sets nofile=1048576 for root containers, which fails without CAP_SYS_RESOURCE when the hard
# limit is lower. NOTE: on the test host conmon ran with RLIMIT_NPROC=32768, the kernel's
# pid_max, and nproc=96368 (the shell's hard limit) failed, hence the cap at pid_max.
write_containers_conf() {
  local nofile nproc pid_max
  nofile=$(ulimit -Hn)
  nproc=$(ulimit -Hu)
  pid_max=$(cat /proc/sys/kernel/pid_max)
  [[ $nofile == unlimited ]] && nofile=1048576
  if [[ $nproc == unlimited ]] || ((nproc > pid_max)); then nproc=$pid_max; fi
  cat >"$work_dir/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]

[engine]
runtime = "${CONTAINER_RUNTIME:-runc}"
EOF
  export CONTAINERS_CONF="$work_dir/containers.conf"
}

image_exists() { podman image exists "$1"; }
image_label() { podman image inspect --format "{{index .Labels \"$2\"}}" "$1" 2>/dev/null || true; }

# Removes what an earlier, interrupted run left behind, and what this run created.
remove_leftovers() {
  local image name
  podman rm --force --time 0 "$container" >/dev/null 2>&1 || true
  if command -v podman-compose >/dev/null && [[ -n $work_dir && -f $work_dir/compose/compose.yaml ]]; then
    (cd "$work_dir/compose" && timeout 120 podman-compose -p "$compose_project" down -v >/dev/null 2>&1) || true
  fi
  for name in "${compose_project}_askgate_1" "${compose_project}_redis_1"; do
    podman rm --force --time 0 "$name" >/dev/null 2>&1 || true
  done
  podman network rm "${compose_project}_default" >/dev/null 2>&1 || true
  podman volume rm --force "$data_volume" "${compose_project}_redis-data" >/dev/null 2>&1 || true
  for image in "$compose_app_image" "$app_image"; do
    if image_exists "$image" && [[ $(image_label "$image" "$built_label") == true ]]; then
      podman rmi --force "$image" >/dev/null 2>&1 || true
    fi
  done
  for image in "$redis_image" "$distroless_image" "$bun_image"; do
    if image_exists "$image" && [[ $(image_label "$image" "$stand_in_label") == true ]]; then
      podman rmi --force "$image" >/dev/null 2>&1 || true
    fi
  done
}

cleanup() {
  local status=$?
  if ((keep)); then
    log "kept containers, images and $work_dir (--keep)"
  else
    remove_leftovers
    [[ -n $work_dir ]] && rm -rf "$work_dir"
  fi
  exit "$status"
}

free_port() {
  bun -e 'const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() }); console.log(server.port); server.stop(true);'
}

# Imports a root filesystem folder as an image with the given name and `--change` settings.
import_rootfs() {
  local rootfs=$1 name=$2
  shift 2
  local changes=(--change "LABEL=$stand_in_label=true")
  local change
  for change in "$@"; do changes+=(--change "$change"); done
  tar --numeric-owner -C "$rootfs" -c . | podman import --quiet "${changes[@]}" - "$name" >/dev/null
}

debootstrap_minbase() {
  local target=$1 include=$2
  timeout 600 debootstrap --variant=minbase --include="$include" "$debian_suite" "$target" "$debian_mirror" \
    >"$target.log" 2>&1 || fail "debootstrap into $target failed; see $target.log (run with --keep to look)"
  rm -rf "${target:?}"/var/cache/apt/archives/*.deb "${target:?}"/var/lib/apt/lists/*
}

build_bun_stand_in() {
  local rootfs=$work_dir/bun-rootfs
  log "building stand-in $bun_image (debootstrap minbase + host bun $(bun --version))"
  debootstrap_minbase "$rootfs" ca-certificates
  install -m 0755 "$(readlink -f "$(command -v bun)")" "$rootfs/usr/local/bin/bun"
  ln -sf bun "$rootfs/usr/local/bin/bunx"
  mkdir -p "$rootfs/home/bun/app"
  import_rootfs "$rootfs" "$bun_image" 'WORKDIR=/home/bun/app' \
    'ENV=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' 'CMD=["/usr/local/bin/bun"]'
}

build_distroless_stand_in() {
  local rootfs=$work_dir/distroless-rootfs debs=$work_dir/debs deb
  log "building stand-in $distroless_image (Debian packages, no shell)"
  mkdir -p "$debs" "$rootfs"
  # apt-get download drops its privileges to _apt, which must be able to reach and write the
  # folder. The work folder stays unlistable for other users.
  chmod 0711 "$work_dir"
  chown _apt "$debs"
  (cd "$debs" && timeout 300 apt-get download -q libc6 libssl3 netbase tzdata ca-certificates >/dev/null) ||
    fail 'apt-get download of the distroless stand-in packages failed'
  for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$rootfs"; done

  # Keep the libraries and data only: no package tools, docs or helper programs.
  rm -rf "${rootfs:?}"/usr/share/doc "${rootfs:?}"/usr/share/man "${rootfs:?}"/usr/share/lintian \
    "${rootfs:?}"/usr/share/locale "${rootfs:?}"/usr/sbin "${rootfs:?}"/usr/bin "${rootfs:?}"/usr/libexec
  mkdir -p "$rootfs/etc/ssl/certs" "$rootfs/tmp" "$rootfs/root" "$rootfs/home/nonroot"
  cat "$rootfs"/usr/share/ca-certificates/mozilla/*.crt >"$rootfs/etc/ssl/certs/ca-certificates.crt"
  chmod 1777 "$rootfs/tmp"
  chmod 0700 "$rootfs/root" "$rootfs/home/nonroot"
  chown 65532:65532 "$rootfs/home/nonroot"
  printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' 'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' \
    'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' >"$rootfs/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nobody:x:65534:' 'nonroot:x:65532:' >"$rootfs/etc/group"
  printf '%s\n' 'passwd: files' 'group: files' 'hosts: files dns' >"$rootfs/etc/nsswitch.conf"
  [[ ! -e $rootfs/bin/sh && ! -e $rootfs/usr/bin/sh ]] || fail 'the distroless stand-in contains a shell'

  import_rootfs "$rootfs" "$distroless_image" 'USER=65532' 'WORKDIR=/home/nonroot' \
    'ENV=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    'ENV=SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt'
}

build_redis_stand_in() {
  local rootfs=$work_dir/redis-rootfs redis_uid
  log "building stand-in $redis_image (debootstrap minbase + Debian redis-server)"
  debootstrap_minbase "$rootfs" redis-server,redis-tools
  redis_uid=$(awk -F: '$1 == "redis" { print $3 ":" $4 }' "$rootfs/etc/passwd")
  [[ -n $redis_uid ]] || fail 'the redis-server package created no redis user'
  mkdir -p "$rootfs/data"
  chown "$redis_uid" "$rootfs/data"
  # Like the published image, which is built with protected mode off: without a configuration
  # file Redis would otherwise reject clients from other containers.
  cat >"$rootfs/usr/local/bin/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = redis-server ]; then
  shift
  exec redis-server "$@" --protected-mode no
fi
exec "$@"
EOF
  chmod 0755 "$rootfs/usr/local/bin/docker-entrypoint.sh"
  import_rootfs "$rootfs" "$redis_image" "USER=$redis_uid" 'WORKDIR=/data' 'VOLUME=/data' 'EXPOSE=6379' \
    'ENTRYPOINT=["/usr/local/bin/docker-entrypoint.sh"]' 'CMD=["redis-server"]'
}

# Builds a stand-in unless an image of that name already exists that this script did not make.
ensure_base_image() {
  local image=$1 builder=$2
  if image_exists "$image"; then
    if [[ $(image_label "$image" "$stand_in_label") == true ]]; then
      podman rmi --force "$image" >/dev/null
    else
      log "using the existing image $image (not a stand-in)"
      return
    fi
  fi
  "$builder"
}

build_app_image() {
  local build_args=(--format docker --pull=never --layers=false --label "$built_label=true" -t "$app_image")
  if ((online)); then
    log 'building the askgate image, bun install over the network'
  else
    # The build container reaches the npm registry, but TLS to it failed there with
    # SELF_SIGNED_CERT_IN_CHAIN on the test host. So the host fills a Bun cache from the
    # lockfile, and the build reads it with the network cut.
    log 'filling a Bun cache from bun.lock on the host'
    mkdir -p "$work_dir/deps" "$work_dir/bun-cache"
    cp "$repo_root/package.json" "$repo_root/bun.lock" "$work_dir/deps/"
    (cd "$work_dir/deps" && BUN_INSTALL_CACHE_DIR="$work_dir/bun-cache" timeout 300 \
      bun install --frozen-lockfile --production >/dev/null) || fail 'bun install on the host failed'
    build_args+=(--network=none -v "$work_dir/bun-cache:/root/.bun/install/cache")
    log 'building the askgate image with --network=none'
  fi

  local started
  started=$(now_ms)
  # --format docker: the OCI format has no HEALTHCHECK, and podman would drop it with a warning.
  timeout 900 podman build "${build_args[@]}" "$repo_root" >"$work_dir/build.log" 2>&1 ||
    { tail -n 30 "$work_dir/build.log" >&2; fail 'podman build failed (last lines above, full log with --keep)'; }
  log "built $app_image in $(($(now_ms) - started)) ms"
}

check_image_config() {
  local size user healthcheck
  size=$(podman image inspect --format '{{.Size}}' "$app_image")
  user=$(podman image inspect --format '{{.Config.User}}' "$app_image")
  healthcheck=$(podman image inspect --format '{{json .Config.Healthcheck.Test}}' "$app_image")
  log "image size: $size bytes ($((size / 1000000)) MB, uncompressed, as podman reports it)"
  [[ $user == nonroot ]] || fail "image user is '$user', expected nonroot"
  [[ $healthcheck == '["CMD","/usr/local/bin/askgate","healthcheck"]' ]] ||
    fail "image HEALTHCHECK is $healthcheck, expected the askgate healthcheck command"
  if podman run --rm --entrypoint /bin/sh "$app_image" -c true >/dev/null 2>&1; then
    fail 'the image runs /bin/sh, but the final stage should have no shell'
  fi
  log 'image config: user nonroot, HEALTHCHECK set, no /bin/sh'
}

generate_secrets() {
  ASKGATE_SECRET=$(openssl rand -base64 48)
  ASKGATE_API_KEY="ak_$(openssl rand -base64 32 | tr '+/' '-_' | tr -d '=')"
  export ASKGATE_SECRET ASKGATE_API_KEY
}

# Polls a URL until it returns 200 and prints the milliseconds waited.
wait_for_200() {
  local url=$1 deadline_ms=$2 started
  started=$(now_ms)
  until curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; do
    (($(now_ms) - started < deadline_ms)) || return 1
    sleep 0.1
  done
  echo $(($(now_ms) - started))
}

# Stops container $1 with SIGTERM and fails unless it exits 0 before podman would send SIGKILL.
# Prints how long the stop took, in milliseconds.
stop_expecting_exit_0() {
  local container_name=$1 started elapsed exit_code
  started=$(now_ms)
  podman stop --time "$stop_timeout_s" "$container_name" >/dev/null 2>>"$work_dir/podman.log"
  elapsed=$(($(now_ms) - started))
  exit_code=$(podman inspect --format '{{.State.ExitCode}}' "$container_name")
  [[ $exit_code == 0 ]] || fail "$container_name exited with $exit_code after podman stop, expected 0"
  ((elapsed < stop_timeout_s * 1000)) || fail "podman stop of $container_name took ${elapsed} ms, so SIGKILL was needed"
  echo "$elapsed"
}

# Creates a challenge through the API, checks that its page is served and prints its id.
create_challenge_and_open_page() {
  local api_url=$1 public_url=$2 response status body id url page_status
  response=$(curl -sS --max-time 10 -w '\n%{http_code}' "$api_url/v1/challenges" \
    -H "Authorization: Bearer $ASKGATE_API_KEY" -H 'Content-Type: application/json' \
    -d '{"client_id": "container-check", "question": "What is your date of birth?", "answer": "1990-04-12",
         "return": {"channel": "whatsapp", "phone": "+5491122334455", "text": "Back from verification {code}"},
         "expires_in": 300}')
  status=${response##*$'\n'}
  body=${response%$'\n'*}
  [[ $status == 201 || $status == 200 ]] || fail "POST /v1/challenges returned $status"
  id=$(jq -r .id <<<"$body")
  url=$(jq -r .url <<<"$body")
  [[ $id == chl_* ]] || fail "POST /v1/challenges returned no challenge id"
  [[ $url == "$public_url"/c/* ]] || fail "the page link does not start with $public_url/c/"
  page_status=$(curl -sS --max-time 10 -o "$work_dir/page.html" -w '%{http_code}' "$url")
  [[ $page_status == 200 ]] || fail "GET of the challenge page returned $page_status"
  grep -q 'What is your date of birth?' "$work_dir/page.html" || fail 'the challenge page does not show the question'
  echo "$id"
}

get_challenge_status() {
  local api_url=$1 id=$2
  curl -sS --max-time 10 "$api_url/v1/challenges/$id" -H "Authorization: Bearer $ASKGATE_API_KEY" | jq -r .status
}

check_container() {
  local api_port web_port api_url public_url started ready_ms pid uid_line gid_line id stop_ms
  local mountpoint store_owner
  api_port=$(free_port)
  web_port=$(free_port)
  api_url=http://127.0.0.1:$api_port
  public_url=http://127.0.0.1:$web_port

  podman run --rm -e ASKGATE_SECRET -e ASKGATE_API_KEY -e ASKGATE_PUBLIC_URL="$public_url" \
    "$app_image" check-config >"$work_dir/check-config.log" 2>&1 ||
    { cat "$work_dir/check-config.log" >&2; fail 'askgate check-config failed in the container'; }
  log 'check-config: exit 0'

  # --health-interval=disable: podman 4.3 schedules health checks with systemd timers, which
  # this host lacks. `podman healthcheck run` below runs the image's check by hand.
  started=$(now_ms)
  podman run -d --name "$container" --health-interval=disable \
    -p "127.0.0.1:$api_port:8000" -p "127.0.0.1:$web_port:8080" \
    -v "$data_volume:/data" \
    -e ASKGATE_SECRET -e ASKGATE_API_KEY -e ASKGATE_PUBLIC_URL="$public_url" \
    -e ASKGATE_STORE=sqlite:/data/askgate.sqlite \
    "$app_image" >/dev/null 2>"$work_dir/run.log" ||
    { cat "$work_dir/run.log" >&2; fail 'podman run failed'; }
  if ! wait_for_200 "$api_url/healthz" 30000 >/dev/null; then
    podman logs "$container" >&2 || true
    fail "GET /healthz did not return 200 within 30 s"
  fi
  ready_ms=$(($(now_ms) - started))
  log "start-up: GET /healthz returned 200 ${ready_ms} ms after podman run began"
  wait_for_200 "$api_url/readyz" 5000 >/dev/null || fail 'GET /readyz did not return 200'
  log 'GET /readyz: 200'

  pid=$(podman inspect --format '{{.State.Pid}}' "$container")
  uid_line=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$pid/status")
  gid_line=$(awk '/^Gid:/ { print $2, $3, $4, $5 }' "/proc/$pid/status")
  [[ $uid_line == '65532 65532 65532 65532' ]] || fail "the process runs with uids $uid_line, expected 65532"
  [[ $gid_line == '65532 65532 65532 65532' ]] || fail "the process runs with gids $gid_line, expected 65532"
  log 'process: uid and gid 65532'

  id=$(create_challenge_and_open_page "$api_url" "$public_url")
  log 'challenge created and its page served'

  podman healthcheck run "$container" >"$work_dir/healthcheck.log" 2>&1 ||
    { cat "$work_dir/healthcheck.log" >&2; fail 'podman healthcheck run failed'; }
  [[ $(podman inspect --format '{{.State.Health.Status}}' "$container") == healthy ]] ||
    fail 'podman reports the container as not healthy'
  log 'HEALTHCHECK: healthy'

  stop_ms=$(stop_expecting_exit_0 "$container")
  podman logs "$container" >"$work_dir/askgate.log" 2>&1
  grep -q '"signal":"SIGTERM"' "$work_dir/askgate.log" || fail 'askgate did not log the SIGTERM'
  log "podman stop: SIGTERM, exit 0 after ${stop_ms} ms"

  mountpoint=$(podman volume inspect --format '{{.Mountpoint}}' "$data_volume")
  [[ -f $mountpoint/askgate.sqlite ]] || fail 'no askgate.sqlite on the /data volume'
  store_owner=$(stat -c %u:%g "$mountpoint/askgate.sqlite")
  [[ $store_owner == 65532:65532 ]] || fail "askgate.sqlite belongs to $store_owner, expected 65532:65532"

  # A second container on the same volume must find the challenge the first one stored.
  podman rm "$container" >/dev/null 2>>"$work_dir/podman.log"
  podman run -d --name "$container" --health-interval=disable -p "127.0.0.1:$api_port:8000" \
    -v "$data_volume:/data" -e ASKGATE_SECRET -e ASKGATE_API_KEY -e ASKGATE_PUBLIC_URL="$public_url" \
    -e ASKGATE_STORE=sqlite:/data/askgate.sqlite "$app_image" >/dev/null 2>>"$work_dir/run.log"
  wait_for_200 "$api_url/healthz" 30000 >/dev/null || fail 'the second container did not start'
  [[ $(get_challenge_status "$api_url" "$id") == pending ]] ||
    fail 'the challenge was not found after a restart on the same /data volume'
  podman stop --time "$stop_timeout_s" "$container" >/dev/null 2>>"$work_dir/podman.log"
  log 'SQLite on the /data volume: file owned by 65532, challenge kept across containers'
}

check_compose() {
  local dir=$work_dir/compose api_port web_port api_url public_url id app_container redis_container
  local stop_ms
  if image_exists "$compose_app_image" && [[ $(image_label "$compose_app_image" "$built_label") != true ]]; then
    log "skipping compose: $compose_app_image exists and was not built by this script"
    return
  fi
  ensure_base_image "$redis_image" build_redis_stand_in
  podman tag "$app_image" "$compose_app_image"

  # compose.yaml publishes the API on 127.0.0.1:8000 and the page on 8080 on every interface. The
  # copy publishes free ports on 127.0.0.1 only, and every other line is unchanged.
  api_port=$(free_port)
  web_port=$(free_port)
  api_url=http://127.0.0.1:$api_port
  public_url=http://127.0.0.1:$web_port
  mkdir -p "$dir"
  sed -e "s|- \"127.0.0.1:8000:8000\"|- \"127.0.0.1:$api_port:8000\"|" -e "s|- \"8080:8080\"|- \"127.0.0.1:$web_port:8080\"|" \
    "$repo_root/compose.yaml" >"$dir/compose.yaml"
  [[ $(grep -c '"127.0.0.1:' "$dir/compose.yaml") == 2 ]] || fail 'could not rewrite the ports of compose.yaml'
  (
    umask 077
    printf 'ASKGATE_SECRET=%s\nASKGATE_API_KEY=%s\nASKGATE_PUBLIC_URL=%s\n' \
      "$ASKGATE_SECRET" "$ASKGATE_API_KEY" "$public_url" >"$dir/askgate.env"
  )

  log 'podman-compose up -d (compose.yaml with loopback ports)'
  (cd "$dir" && timeout 180 podman-compose -p "$compose_project" up -d >"$work_dir/compose-up.log" 2>&1) ||
    { tail -n 30 "$work_dir/compose-up.log" >&2; fail 'podman-compose up failed'; }
  app_container=${compose_project}_askgate_1
  redis_container=${compose_project}_redis_1

  wait_for_200 "$api_url/readyz" 60000 >/dev/null || { podman logs "$app_container" >&2 || true; fail 'GET /readyz of askgate with Redis did not return 200 within 60 s'; }
  podman logs "$app_container" >"$work_dir/compose-askgate.log" 2>&1
  grep -q '"store":"redis://redis:6379/0"' "$work_dir/compose-askgate.log" || fail 'askgate did not open the Redis store'
  log 'compose: askgate ready with the Redis store'
  podman healthcheck run "$redis_container" >/dev/null 2>&1 || fail 'the Redis health check (redis-cli ping) failed'
  log 'compose: Redis health check passed'

  id=$(create_challenge_and_open_page "$api_url" "$public_url")
  podman restart --time "$stop_timeout_s" "$app_container" >/dev/null 2>>"$work_dir/podman.log"
  wait_for_200 "$api_url/readyz" 30000 >/dev/null || fail 'askgate did not come back after a restart'
  [[ $(get_challenge_status "$api_url" "$id") == pending ]] || fail 'the challenge was lost across an askgate restart'
  log 'compose: challenge kept in Redis across an askgate restart'

  stop_ms=$(stop_expecting_exit_0 "$app_container")
  log "compose: askgate stopped with exit 0 after ${stop_ms} ms"

  (cd "$dir" && timeout 120 podman-compose -p "$compose_project" down -v >"$work_dir/compose-down.log" 2>&1) ||
    { tail -n 30 "$work_dir/compose-down.log" >&2; fail 'podman-compose down failed'; }
  log 'compose: down -v'
}

main() {
  local tools=()
  ((run_compose)) && tools+=(podman-compose)
  require_tools "${tools[@]}"
  work_dir=$(mktemp -d /tmp/askgate-container-check.XXXXXX)
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  write_containers_conf
  remove_leftovers

  ensure_base_image "$bun_image" build_bun_stand_in
  ensure_base_image "$distroless_image" build_distroless_stand_in
  build_app_image
  check_image_config
  generate_secrets
  check_container
  if ((run_compose)); then
    check_compose
  else
    log 'skipping compose (--no-compose)'
  fi
  log 'all checks passed'
}

main
