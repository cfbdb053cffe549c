using System.Runtime.Versioning;
using CniV6.Plugin.Cni;
using CniV6.Core.Config;
using CniV6.Plugin.Ipam;

namespace CniV6.UnitTests.Fuzz;

/// <summary>
/// Stdin of an ADD, read the way <see cref="CniDispatcher"/> reads it: the version probe used for error replies,
/// then <see cref="NetworkConfigParser.Parse"/>; then what the commands do with an accepted config (parse the
/// chained prevResult and write it back in every version). Documented failure: <see cref="CniException"/>.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class NetworkConfigFuzzTarget
{
    public static FuzzOutcome Run(byte[] input)
    {
        // Documented never to throw: the dispatcher calls it while already reporting another failure.
        var probed = NetworkConfigParser.TryReadVersion(input);

        NetworkConfig config;
        try
        {
            config = NetworkConfigParser.Parse(input, CniCommand.Add);
        }
        catch (ConfigException)
        {
            return FuzzOutcome.Rejected;
        }

        if (probed != config.CniVersion)
        {
            throw new FuzzPropertyException($"the version probe read \"{probed}\" but the parser accepted \"{config.CniVersion}\"");
        }

        if (config.PrevResult is { } previous)
        {
            CniResult result;
            try
            {
                result = CniResult.Parse(previous);
            }
            catch (CniException)
            {
                // CHECK and chained ADD refuse such a config; the config itself was still well-formed.
                return FuzzOutcome.Accepted;
            }

            _ = IpamResult.From(result);
            CniResultRoundTrip.Check(result);
        }

        return FuzzOutcome.Accepted;
    }
}
