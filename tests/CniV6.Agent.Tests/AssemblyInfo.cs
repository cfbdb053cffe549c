using System.Runtime.Versioning;

// The agent and its tests are Linux-only (netlink, netfilter, network namespaces).
[assembly: SupportedOSPlatform("linux")]
