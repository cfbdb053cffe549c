using System.Net;

namespace CniV6.Agent.Tests.Infrastructure;

/// <summary>A pod sandbox created through libcni on one node: its namespace and the addresses the plugin gave it.</summary>
internal sealed record TestPod(string Netns, int Node, IPAddress IPv6, int IPv6PrefixLength, IPAddress IPv4, int IPv4PrefixLength);
