using CniV6.IntegrationTests.Infrastructure;
using CniV6.Linux;
using CniV6.Netlink;

namespace CniV6.IntegrationTests.Netlink;

/// <summary>Two throwaway namespaces joined by a veth pair: <see cref="Name"/> in A, <see cref="PeerName"/> in B.</summary>
internal sealed class VethPair : IDisposable
{
    internal const string Name = "cv6t-a";
    internal const string PeerName = "cv6t-b";
    internal static readonly byte[] PeerMac = [0xee, 0xee, 0xee, 0xee, 0xee, 0xee];

    internal VethPair(int mtu = 1400)
    {
        A = new TestNetNs();
        try
        {
            B = new TestNetNs();
            using SafeFd peerNs = NetNamespace.Open(B.Path);
            NetNamespace.Run(A.Path, () =>
            {
                using var rt = RtNetlink.Open();
                rt.CreateVethPair(Name, PeerName, peerNs, mtu, PeerMac);
            });
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    internal TestNetNs A { get; }

    internal TestNetNs B { get; } = null!;

    /// <summary>Runs <paramref name="work"/> in namespace A with a netlink socket opened there.</summary>
    internal T InA<T>(Func<RtNetlink, T> work) => InNamespace(A, work);

    internal void InA(Action<RtNetlink> work) => InNamespace(A, rt =>
    {
        work(rt);
        return true;
    });

    internal T InB<T>(Func<RtNetlink, T> work) => InNamespace(B, work);

    public void Dispose()
    {
        B?.Dispose();
        A.Dispose();
    }

    private static T InNamespace<T>(TestNetNs ns, Func<RtNetlink, T> work) => NetNamespace.Run(ns.Path, () =>
    {
        using var rt = RtNetlink.Open();
        return work(rt);
    });
}
