namespace CniV6.Plugin.Wiring;

/// <summary>A host veth GC removed, with the attachment its alias named.</summary>
internal sealed record LeakedHostVeth(string Name, string ContainerId, string IfName);
