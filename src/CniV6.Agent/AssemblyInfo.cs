using System.Runtime.Versioning;

// The agent manages Linux routing, netfilter and sysctls; it has no other platform.
[assembly: SupportedOSPlatform("linux")]
