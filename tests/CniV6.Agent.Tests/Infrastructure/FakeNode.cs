namespace CniV6.Agent.Tests.Infrastructure;

/// <summary>
/// What the fake apiserver knows about a node; rendered as a full Node object. <paramref name="PaddingBytes"/> adds an
/// annotation of that size (an oversized object).
/// </summary>
internal sealed record FakeNode(string Name, string[] InternalIPs, string[] PodCidrs, int PaddingBytes = 0);
