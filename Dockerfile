# Vigil: build and test with the SDK, run as one NativeAOT executable on the runtime's dependencies only.
#
#   docker build -t vigil .
#   docker run --rm --network host --cap-add NET_ADMIN --cap-add NET_RAW \
#     -v /etc/vigil:/etc/vigil:ro vigil validate /etc/vigil
#
# The agent needs the host's network namespace (--network host) to own VIPs and send VRRP,
# NET_ADMIN to add addresses and program IPVS, and NET_RAW for VRRP and gratuitous ARP sockets.
# The same image runs `vigil plan` in CI (ci/): curl posts the plan as a merge-request note.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
# The same command the tests run (installs its Debian packages, builds in Release, publishes vigil NativeAOT into
# test/.cache/vigil, runs every test, the lab's agents being that binary). The image ships that very binary.
RUN test/run
RUN mkdir /out && cd test/.cache/vigil && cp -r vigil libgit2-*.so schemas policies /out/

# No .NET runtime: the executable is native; it needs glibc, OpenSSL, ICU and zlib, which runtime-deps has.
FROM mcr.microsoft.com/dotnet/runtime-deps:10.0 AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpcap0.8 iproute2 nftables ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out /opt/vigil
ENTRYPOINT ["/opt/vigil/vigil"]
CMD ["--help"]
