namespace CniV6.Core.Nat;

/// <summary>
/// One chain as <c>nft list table</c> printed it (stateless, numeric priorities): its hook line (null for a regular chain)
/// and its rules, each trimmed. <see cref="ParseTable"/> reads a whole table listing.
/// </summary>
internal sealed record NftablesChainListing(string Name, string? Hook, IReadOnlyList<string> Rules)
{
    /// <summary>
    /// The chains of a <c>list table</c> listing, by name. Only lines directly inside a chain block count; sets,
    /// maps and anything else nested are skipped by brace depth, so a foreign object in the table cannot confuse it.
    /// </summary>
    public static IReadOnlyDictionary<string, NftablesChainListing> ParseTable(string listing)
    {
        var chains = new Dictionary<string, NftablesChainListing>(StringComparer.Ordinal);
        int depth = 0;
        string? chain = null;
        string? hook = null;
        List<string> rules = [];
        foreach (string raw in listing.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (line == "}")
            {
                depth--;
                if (depth == 1 && chain is not null)
                {
                    chains[chain] = new NftablesChainListing(chain, hook, rules);
                    chain = null;
                }

                continue;
            }

            if (line.EndsWith('{'))
            {
                if (depth == 1 && line.StartsWith("chain ", StringComparison.Ordinal))
                {
                    chain = line["chain ".Length..^1].Trim();
                    hook = null;
                    rules = [];
                }

                depth++;
                continue;
            }

            if (depth != 2 || chain is null)
            {
                continue;
            }

            if (line.StartsWith("type ", StringComparison.Ordinal))
            {
                hook = line;
            }
            else if (!line.StartsWith("comment \"", StringComparison.Ordinal))
            {
                // A chain comment is no rule (ours carry none; somebody else's label changes nothing we rely on).
                rules.Add(line);
            }
        }

        return chains;
    }
}
