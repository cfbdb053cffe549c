using System.Runtime.Versioning;
using CniV6.Plugin.Cni;
using CniV6.Core.Config;

namespace CniV6.UnitTests.Fuzz;

/// <summary>
/// A result the parser accepted must survive being written in every supported version and read back: the runtime
/// hands our ADD output to the next plugin (and back to us as prevResult), so anything we print has to parse.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class CniResultRoundTrip
{
    public static void Check(CniResult result)
    {
        foreach (var version in CniVersion.Supported)
        {
            byte[] json;
            CniResult reparsed;
            try
            {
                json = result.ToJson(version);
                reparsed = CniResult.Parse(json);
            }
            catch (Exception e)
            {
                throw new FuzzPropertyException($"a parsed result does not round-trip through version {version}: {e.GetType().Name}: {e.Message}", e);
            }

            if (reparsed.Ips.Count != result.Ips.Count
                || reparsed.Routes.Count != result.Routes.Count
                || reparsed.Interfaces.Count != result.Interfaces.Count)
            {
                throw new FuzzPropertyException($"version {version} output lost entries: {System.Text.Encoding.UTF8.GetString(json)}");
            }

            for (var i = 0; i < result.Ips.Count; i++)
            {
                var (before, after) = (result.Ips[i], reparsed.Ips[i]);
                if (!before.Address.Equals(after.Address) || before.PrefixLength != after.PrefixLength
                    || !Equals(before.Gateway, after.Gateway) || before.Interface != after.Interface)
                {
                    throw new FuzzPropertyException($"version {version} changed ips[{i}] from {before} to {after}");
                }
            }

            for (var i = 0; i < result.Routes.Count; i++)
            {
                var (before, after) = (result.Routes[i], reparsed.Routes[i]);
                if (!before.Destination.Equals(after.Destination) || !Equals(before.Gateway, after.Gateway))
                {
                    throw new FuzzPropertyException($"version {version} changed routes[{i}] from {before} to {after}");
                }
            }

            for (var i = 0; i < result.Interfaces.Count; i++)
            {
                if (result.Interfaces[i].Name != reparsed.Interfaces[i].Name)
                {
                    throw new FuzzPropertyException($"version {version} changed interfaces[{i}].name");
                }
            }
        }
    }
}
