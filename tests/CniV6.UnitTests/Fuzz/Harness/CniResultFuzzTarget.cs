using System.Runtime.Versioning;
using CniV6.Plugin.Cni;
using CniV6.Plugin.Ipam;

namespace CniV6.UnitTests.Fuzz;

/// <summary>
/// A delegated IPAM plugin's stdout, read as <see cref="DelegatedIpam"/> reads it (<see cref="CniResult.Parse(ReadOnlyMemory{byte})"/>),
/// turned into the addresses and pools ADD uses, and written back in every version. Documented failure: <see cref="CniException"/>.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class CniResultFuzzTarget
{
    public static FuzzOutcome Run(byte[] input)
    {
        CniResult result;
        try
        {
            result = CniResult.Parse(input);
        }
        catch (CniException)
        {
            return FuzzOutcome.Rejected;
        }

        _ = IpamResult.From(result);
        CniResultRoundTrip.Check(result);
        return FuzzOutcome.Accepted;
    }
}
