namespace CniV6.Agent.Tests.Infrastructure;

/// <summary>A PATCH the fake apiserver received: the Node's name, the Content-Type (the patch type) and the body.</summary>
internal sealed record RecordedPatch(string Node, string ContentType, string Body);
