# cniv6 image: the node agent plus the plugin it installs into /opt/cni/bin.
#   docker build -t cniv6:dev .
# Build stage: both executables are Native AOT (needs clang + zlib for the native link).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends clang zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/ src/
# The portable link (eng/portable) fetches a glibc 2.31 sysroot: the plugin is copied onto hosts of any glibc.
COPY eng/ eng/
RUN dotnet publish src/CniV6.Plugin -c Release -r linux-x64 -o /out/plugin \
 && dotnet publish src/CniV6.Agent -c Release -r linux-x64 -o /out/agent

# Runtime stage: no .NET runtime needed; iptables for the MASQUERADE chains, kmod for nat modules.
FROM debian:12-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends iptables iproute2 kmod ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/plugin/cniv6 /out/agent/cniv6-agent /usr/local/bin/
# The agent installs the plugin found next to its own executable.
ENTRYPOINT ["/usr/local/bin/cniv6-agent"]
