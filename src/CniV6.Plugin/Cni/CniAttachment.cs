namespace CniV6.Plugin.Cni;

/// <summary>One still-valid attachment listed by the runtime in a GC request (<c>cni.dev/valid-attachments</c>).</summary>
internal sealed record CniAttachment(string ContainerId, string IfName);
