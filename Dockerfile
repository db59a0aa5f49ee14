# danube-connectd container images (docs/deployment.md).
#   docker build -t danube-connectd .                           # runtime image (default: last stage)
#   docker build --target plugin-dev -t danube-connectd-dev .   # SDK + compiler for out-of-tree plugins
#
# The build stage runs what CI runs (.ci/run -> scripts/test): scripts/install-deps, then
# scripts/build, the CMake configure + build of scripts/test. CPack then packages the result; the
# other stages install those .deb files, so the runtime image gets only the shared libraries that
# dpkg-shlibdeps found in the binaries and plugins (listed in docs/deployment.md), no compiler.
ARG BUILD_IMAGE=debian:bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

# ---- build: the CI build ----------------------------------------------------------------------
FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY scripts/install-deps scripts/install-deps
COPY scripts/patches scripts/patches
RUN scripts/install-deps
COPY . .
RUN BUILD_DIR=build scripts/build \
 && cpack --config build/CPackConfig.cmake -B /packages \
 && rm -rf /packages/_CPack_Packages \
 && ls -l /packages

# ---- plugin-dev: headers, the DanubeConnect CMake package, pkg-config, a compiler, the daemon ----
# docker run --rm -v "$PWD:/plugin" danube-connectd-dev \
#   sh -c 'cmake -S . -B build && cmake --build build && danube-connectd --check --config my.toml'
FROM ${BUILD_IMAGE} AS plugin-dev
COPY --from=build /packages/ /tmp/packages/
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential cmake ninja-build pkgconf ca-certificates \
      /tmp/packages/danube-connectd_*.deb /tmp/packages/danube-connectd-dev_*.deb \
 && rm -rf /var/lib/apt/lists/* /tmp/packages
ENV CMAKE_GENERATOR=Ninja
WORKDIR /plugin
CMD ["bash"]

# ---- runtime ------------------------------------------------------------------------------------
FROM ${RUNTIME_IMAGE} AS runtime
COPY --from=build /packages/ /tmp/packages/
# The .deb's Depends (from dpkg-shlibdeps) pull in the runtime libraries only; the systemd units
# it ships are of no use in a container.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates /tmp/packages/danube-connectd_*.deb \
 && rm -rf /var/lib/apt/lists/* /tmp/packages /usr/lib/systemd/system/danube-connectd*.service \
 && groupadd --gid 10001 danube \
 && useradd --no-log-init --uid 10001 --gid danube --home-dir /var/lib/danube-connectd --no-create-home \
      --shell /usr/sbin/nologin danube \
 && install -d -o danube -g danube -m 0700 /var/lib/danube-connectd \
 && install -d -m 0755 /etc/danube-connectd
# Plugins: /usr/lib/danube-connectd/plugins (the daemon's default; add your own .so there, not
# writable by everyone). Configuration: /etc/danube-connectd/connector.toml (mount yours over the
# in_datagen demo). Offsets: data_dir = /var/lib/danube-connectd (a volume).
COPY packaging/docker/connector.toml /etc/danube-connectd/connector.toml
COPY packaging/docker/healthcheck /usr/lib/danube-connectd/healthcheck
ENV CONNECTOR_CONFIG_PATH=/etc/danube-connectd/connector.toml
USER 10001:10001
WORKDIR /var/lib/danube-connectd
VOLUME ["/var/lib/danube-connectd"]
# /metrics, /healthz, /readyz, /status on [processing] metrics_port (set DCX_HEALTH_PORT if you
# change it).
EXPOSE 9090
# SIGTERM drains in-flight records within [delivery] shutdown_timeout_ms (25 s): stop with a longer
# grace period (docker stop -t 30, compose stop_grace_period, Kubernetes terminationGracePeriodSeconds).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 CMD ["/usr/lib/danube-connectd/healthcheck"]
ENTRYPOINT ["/usr/bin/danube-connectd"]
