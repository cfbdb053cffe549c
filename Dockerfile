# cniv6 image: the node agent, the plugin it installs into /opt/cni/bin, and the reference portmap and
# loopback plugins it installs next to it.
#   docker build --build-arg VERSION=$(git describe --always --dirty) --build-arg REVISION=$(git rev-parse HEAD) -t cniv6:dev .
# Stages:
#   build            Native AOT publish of both executables (SDK image + clang)
#   runtime-base     Debian 12 slim + iptables/iproute2/kmod + portmap/loopback, labels, entrypoint
#   runtime-prebuilt runtime-base + the executables from artifacts/bin (built by ./build.sh on the host);
#                    CI builds this one with buildah from a locally made base (tests/install/image.sh)
#   runtime          runtime-base + the executables from the build stage (the default, last stage)
# Bases are pinned to exact tags; set SDK_IMAGE / RUNTIME_IMAGE to digests for a reproducible build.
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0.100-noble
ARG RUNTIME_IMAGE=debian:12.11-slim

FROM ${SDK_IMAGE} AS build
# The native link needs clang (or gcc) and binutils; no zlib1g-dev (the ILCompiler package brings libz.a).
# The portable link (eng/portable) fetches a glibc 2.31 sysroot with apt, checked against Debian's keyring,
# so the plugin runs on hosts of any glibc >= 2.17.
RUN apt-get update \
 && apt-get install -y --no-install-recommends clang binutils debian-archive-keyring \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Restore in its own layer: it changes only when a project file or the package versions change.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
# The executables' projects import eng/portable/PortableLink.targets.
COPY eng/ eng/
COPY src/CniV6.Linux/CniV6.Linux.csproj src/CniV6.Linux/
COPY src/CniV6.Netlink/CniV6.Netlink.csproj src/CniV6.Netlink/
COPY src/CniV6.Core/CniV6.Core.csproj src/CniV6.Core/
COPY src/CniV6.Plugin/CniV6.Plugin.csproj src/CniV6.Plugin/
COPY src/CniV6.Agent/CniV6.Agent.csproj src/CniV6.Agent/
RUN dotnet restore src/CniV6.Plugin -r linux-x64 \
 && dotnet restore src/CniV6.Agent -r linux-x64
COPY src/ src/
RUN dotnet publish src/CniV6.Plugin -c Release -r linux-x64 --no-restore -o /out/plugin \
 && dotnet publish src/CniV6.Agent -c Release -r linux-x64 --no-restore -o /out/agent \
 && install -D -m 0755 /out/plugin/cniv6 /out/bin/cniv6 \
 && install -D -m 0755 /out/agent/cniv6-agent /out/bin/cniv6-agent

FROM ${RUNTIME_IMAGE} AS runtime-base
ARG VERSION=dev
ARG REVISION=unknown
ARG SOURCE=unknown
LABEL org.opencontainers.image.title="cniv6" \
      org.opencontainers.image.description="IPv6-first CNI plugin and node agent (Native AOT)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}"
# iptables for the MASQUERADE chains, iproute2 for debugging, kmod for nat modules, bird2 for the bgp routing
# mode (the agent runs /usr/sbin/bird itself; the package's own service is never started in the image); from
# Debian's containernetworking-plugins only portmap (chained by the agent's conflist) and loopback are kept.
RUN apt-get update \
 && apt-get install -y --no-install-recommends iptables nftables iproute2 kmod bird2 containernetworking-plugins \
 && install -d -m 0755 /usr/lib/cniv6/plugins \
 && cp /usr/lib/cni/portmap /usr/lib/cni/loopback /usr/lib/cniv6/plugins/ \
 && apt-get purge -y containernetworking-plugins \
 && apt-get autoremove -y \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
ENTRYPOINT ["/usr/local/bin/cniv6-agent"]

FROM runtime-base AS runtime-prebuilt
COPY artifacts/bin/cniv6 artifacts/bin/cniv6-agent /usr/local/bin/

# The default target: the agent installs the plugin found next to its own executable.
FROM runtime-base AS runtime
COPY --from=build /out/bin/cniv6 /out/bin/cniv6-agent /usr/local/bin/
