using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using CniV6.Linux;
using CniV6.Netlink;
using CniV6.Netlink.Kernel;

namespace CniV6.Fuzz;

/// <summary>
/// Records the kernel's replies to the requests the fuzz target replays, as seeds for <c>fuzz/corpus/netlink</c>.
/// Everything happens in a network namespace made for the purpose (<c>cv6fz-PID</c>, removed afterwards): a veth
/// pair, IPv6 and IPv4 addresses, a multipath route, vxlan devices over both families with static FDB entries,
/// permanent neighbours and onlink routes, and requests that fail so the kernel answers with errors and
/// extended-ack text.
/// </summary>
internal static class NetlinkCapture
{
    public static int Run(string directory)
    {
        Directory.CreateDirectory(directory);
        var name = $"cv6fz-{Environment.ProcessId}";
        Ip("netns", "add", name);
        try
        {
            foreach (var command in SetupCommands)
            {
                Ip(["-n", name, .. command.Split(' ')]);
            }

            foreach (var command in BridgeCommands)
            {
                Run("ip", ["netns", "exec", name, "bridge", .. command.Split(' ')]);
            }

            NetNamespace.Run($"/var/run/netns/{name}", () => Capture(directory));
        }
        finally
        {
            Ip("netns", "del", name);
        }

        return 0;
    }

    private static readonly string[] SetupCommands =
    [
        "link set lo up",
        "link add cv6fz0 mtu 1450 type veth peer name cv6fz1",
        "link set cv6fz0 address ee:ee:ee:ee:ee:ee",
        "link set cv6fz0 alias cniv6-fuzz-capture",
        "link set cv6fz0 up",
        "link set cv6fz1 up",
        "link add cv6fz2 type veth peer name cv6fz3",
        "link set cv6fz2 up",
        "link set cv6fz3 up",
        "addr add fd00:10:244::1/64 dev cv6fz0 nodad",
        "addr add fd00:10:244::5/128 dev cv6fz1 nodad",
        "addr add 10.244.0.1/24 dev cv6fz0",
        "addr add fd00:99::1/64 dev cv6fz2 nodad",
        "route add fd00:10:245::/64 via fd00:10:244::9 dev cv6fz0 proto 198",
        "route add fd00:10:246::/64 dev cv6fz1 metric 1024 table 100",
        "route add fd00:10:247::/64 nexthop via fd00:10:244::9 dev cv6fz0 nexthop via fd00:99::2 dev cv6fz2",
        "route add 10.245.0.0/16 nexthop via 10.244.0.2 dev cv6fz0 weight 1 nexthop dev cv6fz1 weight 2",
        "route add default via fe80::ecee:eeff:feee:eeee dev cv6fz1",
        "link add cv6fzvx6 address 0e:c6:00:00:00:01 mtu 1430 type vxlan id 4096 local fd00:99::1 dstport 4789 nolearning",
        "link add cv6fzvx4 type vxlan id 4096 local 10.244.0.1 dstport 4789 nolearning udpcsum dev cv6fz0",
        "link set cv6fzvx6 up",
        "link set cv6fzvx4 up",
        "neigh add fd00:ff::2 lladdr 0e:c6:00:00:00:02 dev cv6fzvx6 nud permanent",
        "neigh add 10.255.0.2 lladdr 0e:c6:00:00:00:02 dev cv6fzvx4 nud permanent",
        "route add fd00:10:249::/64 via fd00:ff::2 dev cv6fzvx6 onlink proto 198",
        "route add 10.249.0.0/24 via 10.255.0.2 dev cv6fzvx4 onlink proto 198",
    ];

    private static readonly string[] BridgeCommands =
    [
        "fdb append 0e:c6:00:00:00:02 dev cv6fzvx6 dst fd00:99::2 self permanent",
        "fdb append 0e:c6:00:00:00:03 dev cv6fzvx6 dst fd00:99::3 self permanent",
        "fdb append 0e:c6:00:00:00:02 dev cv6fzvx4 dst 10.244.0.2 self permanent",
    ];

    private static void Capture(string directory)
    {
        var transport = new RecordingTransport(NetlinkSocket.Open(NetlinkHeaders.NETLINK_ROUTE));
        using var netlink = new RtNetlink(transport);

        void Save(string file, Action request)
        {
            try
            {
                request();
            }
            catch (NetlinkException)
            {
                // Failing requests are recorded on purpose: their NLMSG_ERROR is the seed.
            }

            var bytes = transport.TakeRecording();
            File.WriteAllBytes(Path.Combine(directory, file), bytes);
            Console.WriteLine($"{file}: {bytes.Length} bytes");
        }

        var veth = netlink.GetLink("cv6fz0") ?? throw new InvalidOperationException("cv6fz0 was not created");
        Save("dump-links.bin", () => netlink.ListLinks());
        Save("dump-addresses.bin", () => netlink.ListAddresses(AddressFamily.Unspecified));
        Save("dump-addresses-ipv6.bin", () => netlink.ListAddresses(AddressFamily.InterNetworkV6));
        Save("dump-routes-ipv6-all-tables.bin", () => netlink.ListRoutes(AddressFamily.InterNetworkV6, RouteTable.Unspecified));
        Save("dump-routes-ipv4-main.bin", () => netlink.ListRoutes(AddressFamily.InterNetwork, RouteTable.Main));
        Save("get-link-by-name.bin", () => netlink.GetLink("cv6fz0"));
        Save("get-link-missing-enodev.bin", () => netlink.GetLink("cv6fz-none"));
        Save("ack-link-up.bin", () => netlink.SetLinkUp(veth.Index));
        Save("error-route-unreachable-gateway-extack.bin", () => netlink.AddRoute(
            new RouteInfo(new IPNetwork(IPAddress.Parse("fd00:10:248::"), 64), IPAddress.Parse("fd00:77::1"), veth.Index)));
        Save("error-address-exists.bin", () => netlink.AddAddress(veth.Index, IPAddress.Parse("fd00:10:244::1"), 64));
        Save("error-delete-missing-link.bin", () => netlink.DeleteLink(999_999));
        var vxlan6 = netlink.GetLink("cv6fzvx6") ?? throw new InvalidOperationException("cv6fzvx6 was not created");
        var vxlan4 = netlink.GetLink("cv6fzvx4") ?? throw new InvalidOperationException("cv6fzvx4 was not created");
        Save("get-link-vxlan-ipv6.bin", () => netlink.GetLink("cv6fzvx6"));
        Save("get-link-vxlan-ipv4.bin", () => netlink.GetLink("cv6fzvx4"));
        Save("dump-fdb.bin", () => netlink.ListFdbEntries(vxlan6.Index));
        Save("dump-neighbors.bin", () => netlink.ListNeighbors(AddressFamily.Unspecified));
        Save("dump-neighbors-vxlan-ipv6.bin", () => netlink.ListNeighbors(AddressFamily.InterNetworkV6, vxlan6.Index));
        Save("dump-routes-ipv6-onlink.bin", () => netlink.ListRoutes(AddressFamily.InterNetworkV6));
        Save("dump-routes-ipv4-onlink.bin", () => netlink.ListRoutes(AddressFamily.InterNetwork));
        Save("error-fdb-delete-missing.bin", () => netlink.DeleteFdbEntry(vxlan4.Index, [0x0e, 0xc6, 0, 0, 0, 9], IPAddress.Parse("10.244.0.9")));
        Save("error-vxlan-vni-port-taken.bin", () => netlink.CreateVxlan(
            "cv6fzvx6b", new VxlanSettings(4096, IPAddress.Parse("fd00:99::1"), 4789), 0, []));
    }

    private static void Ip(params string[] arguments) => Run("ip", arguments);

    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {program}");
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)}: {error.Trim()}");
        }
    }
}
