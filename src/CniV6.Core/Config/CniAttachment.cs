namespace CniV6.Core.Config;

/// <summary>One still-valid attachment listed by the runtime in a GC request (<c>cni.dev/valid-attachments</c>).</summary>
public sealed record CniAttachment(string ContainerId, string IfName);
