using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using CniV6.Linux;
using CniV6.Netlink;

namespace CniV6.Core.Ipam;

/// <summary>
/// Parses and validates <c>state.json</c>. Anything unexpected is an <see cref="IpamStoreCorruptException"/>
/// naming the file and the first problem: the file is root's own and only damage or tampering makes it wrong.
/// </summary>
internal static class IpamStateReader
{
    public static IpamState Read(string path, string networkName, byte[] content)
    {
        if (content.Length == 0)
        {
            throw new IpamStoreCorruptException(path, "file is empty (truncated?)");
        }

        IpamStateDocument? document;
        try
        {
            // Tolerate a UTF-8 byte order mark an editor may have added.
            ReadOnlySpan<byte> json = content.AsSpan().StartsWith("\uFEFF"u8) ? content.AsSpan(3) : content;
            document = JsonSerializer.Deserialize(json, IpamStateJsonContext.Default.IpamStateDocument);
        }
        catch (JsonException e)
        {
            throw new IpamStoreCorruptException(path, $"not a valid state document (truncated?): {e.Message}", e);
        }

        if (document is null)
        {
            throw new IpamStoreCorruptException(path, "document is null");
        }

        if (document.Version != IpamStateDocument.CurrentVersion)
        {
            throw new IpamStoreCorruptException(path, $"unsupported version {document.Version?.ToString() ?? "(missing)"}");
        }

        if (document.Network != networkName)
        {
            throw new IpamStoreCorruptException(path, $"belongs to network '{document.Network}', not '{networkName}'");
        }

        List<PoolCursor> cursors = ReadCursors(path, document.Pools);
        List<Allocation> allocations = ReadAllocations(path, document.Allocations, cursors);
        return new IpamState(allocations, cursors);
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

    private static List<Allocation> ReadAllocations(string path, List<AllocationDocument?>? entries, List<PoolCursor> cursors)
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

            if (!AttachmentIds.IsValidContainerId(entry.ContainerId))
            {
                throw new IpamStoreCorruptException(path, $"invalid container id '{entry.ContainerId}'");
            }

            if (!InterfaceName.IsValid(entry.IfName))
            {
                throw new IpamStoreCorruptException(path, $"invalid interface name '{entry.IfName}' of container {entry.ContainerId}");
            }

            string who = $"{entry.ContainerId}/{entry.IfName}";
            if (!attachments.Add((entry.ContainerId!, entry.IfName!)))
            {
                throw new IpamStoreCorruptException(path, $"attachment {who} is listed twice");
            }

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

                if (!cursors.Any(c => Cidr.Contains(c.Pool, address)))
                {
                    throw new IpamStoreCorruptException(path, $"address {address} of {who} lies outside every pool of the store");
                }

                if (!used.Add(address))
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

            allocations.Add(new Allocation(entry.ContainerId!, entry.IfName!, addresses, entry.NetNs, entry.Created.Value, pod));
        }

        return allocations;
    }
}
