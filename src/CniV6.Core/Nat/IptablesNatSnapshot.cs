namespace CniV6.Core.Nat;

/// <summary>What <c>*-save -t nat</c> shows about one of our chains: whether it exists, its rules, and the POSTROUTING rules that jump to it.</summary>
internal sealed record IptablesNatSnapshot(bool ChainExists, IReadOnlyList<string> ChainRules, IReadOnlyList<string> JumpRules)
{
    public static IptablesNatSnapshot Parse(string saveOutput, string chain)
    {
        bool exists = false;
        var rules = new List<string>();
        var jumps = new List<string>();
        foreach (string raw in saveOutput.Split('\n'))
        {
            string line = raw.TrimEnd('\r', ' ');
            if (line.StartsWith($":{chain} ", StringComparison.Ordinal))
            {
                exists = true;
            }
            else if (line.StartsWith($"-A {chain} ", StringComparison.Ordinal))
            {
                rules.Add(line);
            }
            else if (line.StartsWith("-A POSTROUTING ", StringComparison.Ordinal)
                     && (line.EndsWith($" -j {chain}", StringComparison.Ordinal) || line.Contains($" -j {chain} ", StringComparison.Ordinal)))
            {
                jumps.Add(line);
            }
        }

        return new IptablesNatSnapshot(exists, rules, jumps);
    }
}
