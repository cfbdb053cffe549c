using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CniV6.Linux;
using CniV6.Netlink;

namespace CniV6.Core.Ipam;

/// <summary>
/// Parses and validates <c>state.json</c> (version 2: the cursors; version 1: everything, read once to migrate it)
/// and allocation records. Anything unexpected is an <see cref="IpamStoreCorruptException"/> naming the file and the
/// first problem: the files are root's own and only damage or tampering makes them wrong.
/// </summary>
internal static class IpamStateReader
{
    /// <summary>The validated <c>state.json</c> of either version; <see cref="IpamState.Allocations"/> is empty for version 2.</summary>
    public static (int Version, IpamState State) Read(string path, string networkName, byte[] content)
    {
        IpamStateDocument document = Parse(path, content, IpamStateJsonContext.Default.IpamStateDocument, "state document");

        if (document.Version is not (IpamStateDocument.LegacyVersion or IpamStateDocument.CurrentVersion))
        {
            throw new IpamStoreCorruptException(path, $"unsupported version {document.Version?.ToString() ?? "(missing)"}");
        }

        if (document.Network != networkName)
        {
            throw new IpamStoreCorruptException(path, $"belongs to network '{document.Network}', not '{networkName}'");
        }

        List<PoolCursor> cursors = ReadCursors(path, document.Pools);
        if (document.Version == IpamStateDocument.CurrentVersion)
        {
            return document.Allocations is null
                ? (IpamStateDocument.CurrentVersion, new IpamState([], cursors))
                : throw new IpamStoreCorruptException(path, "version 2 lists 'allocations' (they are records of their own)");
        }

        List<Allocation> allocations = ReadLegacyAllocations(path, document.Allocations, cursors);
        return (IpamStateDocument.LegacyVersion, new IpamState(allocations, cursors));
    }

    /// <summary>One record file's allocation, which must be the one its name says.</summary>
    public static Allocation ReadRecord(string path, byte[] content, string containerId, string ifName)
    {
        AllocationDocument document = Parse(path, content, IpamStateJsonContext.Default.AllocationDocument, "allocation record");
        Allocation allocation = ReadAllocation(path, document);
        return allocation.ContainerId == containerId && allocation.IfName == ifName
            ? allocation
            : throw new IpamStoreCorruptException(path, $"holds the allocation of {allocation.ContainerId}/{allocation.IfName}, not of {containerId}/{ifName}");
    }

    private static T Parse<T>(string path, byte[] content, JsonTypeInfo<T> type, string what)
        where T : class
    {
        if (content.Length == 0)
        {
            throw new IpamStoreCorruptException(path, "file is empty (truncated?)");
        }

        T? document;
        try
        {
            // Tolerate a UTF-8 byte order mark an editor may have added.
            ReadOnlySpan<byte> json = content.AsSpan().StartsWith("\uFEFF"u8) ? content.AsSpan(3) : content;
            document = JsonSerializer.Deserialize(json, type);
        }
        catch (JsonException e)
        {
            throw new IpamStoreCorruptException(path, $"not a valid {what} (truncated?): {e.Message}", e);
        }

        return document ?? throw new IpamStoreCorruptException(path, "document is null");
    }

    private static List<PoolCursor> ReadCursors(string path, List<PoolCursorDocument?>? pools)
    {
        if (pools is null)
        {
            throw new IpamStoreCorruptException(path, "'pools' is missing");
        }

        var cursors = new List<PoolCursor>(pools.Count);
        foreach (PoolCursorDocument? entry in pools)
        {
            if (entry?.Pool is null || !IPNetwork.TryParse(entry.Pool, out IPNetwork pool) || Cidr.Format(pool) != entry.Pool)
            {
                throw new IpamStoreCorruptException(path, $"invalid pool '{entry?.Pool}'");
            }

            if (entry.Last is null || !IPAddress.TryParse(entry.Last, out IPAddress? last) || !Cidr.Contains(pool, last))
            {
                throw new IpamStoreCorruptException(path, $"cursor '{entry.Last}' of pool {entry.Pool} is not an address in the pool");
            }

            if (cursors.Any(c => c.Pool == pool))
            {
                throw new IpamStoreCorruptException(path, $"pool {entry.Pool} is listed twice");
            }

            cursors.Add(new PoolCursor(pool, Cidr.OffsetOf(pool, last)));
        }

        return cursors;
    }

    private static List<Allocation> ReadLegacyAllocations(string path, List<AllocationDocument?>? entries, List<PoolCursor> cursors)
    {
        if (entries is null)
        {
            throw new IpamStoreCorruptException(path, "'allocations' is missing");
        }

        var allocations = new List<Allocation>(entries.Count);
        var attachments = new HashSet<(string, string)>();
        var used = new HashSet<IPAddress>();
        foreach (AllocationDocument? entry in entries)
        {
            if (entry is null)
            {
                throw new IpamStoreCorruptException(path, "null allocation entry");
            }

            Allocation allocation = ReadAllocation(path, entry);
            string who = $"{allocation.ContainerId}/{allocation.IfName}";
            if (!attachments.Add((allocation.ContainerId, allocation.IfName)))
            {
                throw new IpamStoreCorruptException(path, $"attachment {who} is listed twice");
            }

            foreach (IPAddress address in allocation.Addresses)
            {
                if (!cursors.Any(c => Cidr.Contains(c.Pool, address)))
                {
                    throw new IpamStoreCorruptException(path, $"address {address} of {who} lies outside every pool of the store");
                }

                if (!used.Add(address))
                {
                    throw new IpamStoreCorruptException(path, $"address {address} is assigned twice (again to {who})");
                }
            }

            allocations.Add(allocation);
        }

        return allocations;
    }

    private static Allocation ReadAllocation(string path, AllocationDocument entry)
    {
        if (!AttachmentIds.IsValidContainerId(entry.ContainerId))
        {
            throw new IpamStoreCorruptException(path, $"invalid container id '{entry.ContainerId}'");
        }

        if (!InterfaceName.IsValid(entry.IfName))
        {
            throw new IpamStoreCorruptException(path, $"invalid interface name '{entry.IfName}' of container {entry.ContainerId}");
        }

        string who = $"{entry.ContainerId}/{entry.IfName}";
        if (entry.Created is null)
        {
            throw new IpamStoreCorruptException(path, $"allocation of {who} has no creation time");
        }

        if (entry.Addresses is null || entry.Addresses.Count == 0)
        {
            throw new IpamStoreCorruptException(path, $"allocation of {who} has no addresses");
        }

        var addresses = new List<IPAddress>(entry.Addresses.Count);
        foreach (string? text in entry.Addresses)
        {
            if (text is null || !IPAddress.TryParse(text, out IPAddress? address) || (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0))
            {
                throw new IpamStoreCorruptException(path, $"allocation of {who} has an invalid address '{text}'");
            }

            if (addresses.Contains(address))
            {
                throw new IpamStoreCorruptException(path, $"address {address} is assigned twice (again to {who})");
            }

            addresses.Add(address);
        }

        PodReference? pod = null;
        if (entry.PodNamespace is not null || entry.PodName is not null)
        {
            pod = PodReference.IsValid(entry.PodNamespace, entry.PodName)
                ? new PodReference(entry.PodNamespace!, entry.PodName!)
                : throw new IpamStoreCorruptException(path, $"allocation of {who} has an invalid pod '{entry.PodNamespace}/{entry.PodName}'");
        }

        return new Allocation(entry.ContainerId!, entry.IfName!, addresses, entry.NetNs, entry.Created.Value, pod);
    }
}
