namespace CniV6.Agent.Dataplane;

/// <summary>This node's addresses and links as the controllers need them; implemented over rtnetlink, faked in tests.</summary>
internal interface ILocalPrefixReader
{
    /// <summary>Addresses with their on-link prefixes (global scope) and their links' MTUs.</summary>
    IReadOnlyList<LocalPrefix> ListLocalPrefixes();
}
