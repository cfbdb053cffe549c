using System.Globalization;
using System.Text;

namespace CniV6.Agent.Tests.Infrastructure;

/// <summary>
/// A strict reader of the Prometheus text exposition format 0.0.4, so tests assert on what a Prometheus server would
/// read, not on substrings: valid metric and label names, HELP/TYPE at most once and before the family's samples,
/// a family's samples contiguous, escapes limited to what the format defines, values Go's ParseFloat accepts, no
/// duplicate series, counters never negative, histograms with cumulative buckets ending in le="+Inf" equal to _count.
/// Any violation throws <see cref="FormatException"/> naming the line.
/// </summary>
internal sealed class PrometheusText
{
    private static readonly string[] Types = ["counter", "gauge", "histogram", "summary", "untyped"];

    private PrometheusText(IReadOnlyDictionary<string, Family> families) => Families = families;

    public IReadOnlyDictionary<string, Family> Families { get; }

    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    public sealed class Family(string name)
    {
        public string Name { get; } = name;

        public string? Help { get; set; }

        public string Type { get; set; } = "untyped";

        public List<Sample> Samples { get; } = [];
    }

    /// <summary>The one sample named <paramref name="name"/> whose labels are exactly <paramref name="labels"/>.</summary>
    public double Value(string name, params (string Name, string Value)[] labels) =>
        Find(name, labels) ?? throw new InvalidOperationException($"no sample {name}{{{string.Join(',', labels.Select(l => $"{l.Name}=\"{l.Value}\""))}}}");

    public double? Find(string name, params (string Name, string Value)[] labels)
    {
        var matching = Families.Values.SelectMany(f => f.Samples)
            .Where(s => s.Name == name && s.Labels.Count == labels.Length && labels.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value))
            .ToList();
        return matching.Count == 0 ? null : matching.Single().Value;
    }

    /// <summary>Every sample named <paramref name="name"/>.</summary>
    public IReadOnlyList<Sample> All(string name) => [.. Families.Values.SelectMany(f => f.Samples).Where(s => s.Name == name)];

    public static PrometheusText Parse(string text)
    {
        if (text.Length > 0 && !text.EndsWith('\n'))
        {
            throw new FormatException("the exposition does not end with a newline");
        }

        var families = new Dictionary<string, Family>(StringComparer.Ordinal);
        var closed = new HashSet<string>(StringComparer.Ordinal);
        var seriesSeen = new HashSet<string>(StringComparer.Ordinal);
        Family? current = null;
        var lines = text.Split('\n');
        for (var n = 0; n < lines.Length - 1; n++)
        {
            var line = lines[n];
            try
            {
                if (line.Length == 0)
                {
                    continue;
                }

                if (line.StartsWith('#'))
                {
                    var parts = line.Split(' ', 4);
                    if (parts.Length >= 3 && parts[0] == "#" && parts[1] is "HELP" or "TYPE")
                    {
                        var name = parts[2];
                        CheckMetricName(name);
                        var family = Enter(name);
                        if (parts[1] == "HELP")
                        {
                            if (family.Help is not null)
                            {
                                throw new FormatException($"second HELP for {name}");
                            }

                            family.Help = Unescape(parts.Length == 4 ? parts[3] : "", quoted: false);
                        }
                        else
                        {
                            if (parts.Length != 4 || !Types.Contains(parts[3]))
                            {
                                throw new FormatException($"TYPE of {name} is not one of {string.Join('|', Types)}");
                            }

                            if (family.Samples.Count > 0 || family.Type != "untyped")
                            {
                                throw new FormatException($"TYPE of {name} after its samples or twice");
                            }

                            family.Type = parts[3];
                        }
                    }

                    continue; // any other comment is allowed
                }

                var sample = ParseSample(line);
                var owner = FamilyOf(sample.Name);
                if (owner != current?.Name)
                {
                    Enter(owner);
                }

                var key = sample.Name + "{" + string.Join(',', sample.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value.Length}:{l.Value}")) + "}";
                if (!seriesSeen.Add(key))
                {
                    throw new FormatException($"duplicate series {key}");
                }

                if (current!.Type == "counter" && (sample.Value < 0 || double.IsNaN(sample.Value)))
                {
                    throw new FormatException($"counter {sample.Name} is {sample.Value}");
                }

                current.Samples.Add(sample);
            }
            catch (FormatException e)
            {
                throw new FormatException($"line {n + 1} \"{line}\": {e.Message}", e);
            }
        }

        foreach (var family in families.Values.Where(f => f.Type == "histogram"))
        {
            CheckHistogram(family);
        }

        return new PrometheusText(families);

        // A family begins where its HELP, TYPE or first sample is, and may not come back once another began.
        Family Enter(string name)
        {
            if (current?.Name == name)
            {
                return current;
            }

            if (!closed.Add(name))
            {
                throw new FormatException($"{name} appears again after other families (its lines must be together)");
            }

            current = new Family(name);
            families.Add(name, current);
            return current;
        }

        // The family a sample belongs to: a histogram's _bucket/_sum/_count lines belong to its family.
        string FamilyOf(string sampleName)
        {
            foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
            {
                if (sampleName.EndsWith(suffix, StringComparison.Ordinal)
                    && current is { Type: "histogram" or "summary" } f
                    && f.Name == sampleName[..^suffix.Length])
                {
                    return f.Name;
                }
            }

            return sampleName;
        }
    }

    private static void CheckHistogram(Family family)
    {
        var groups = family.Samples.GroupBy(s => string.Join(',', s.Labels.Where(l => l.Key != "le").OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")));
        foreach (var group in groups)
        {
            var buckets = group.Where(s => s.Name == family.Name + "_bucket").ToList();
            if (buckets.Any(b => !b.Labels.ContainsKey("le")) || group.Any(s => s.Name != family.Name + "_bucket" && s.Labels.ContainsKey("le")))
            {
                throw new FormatException($"histogram {family.Name}: le belongs on _bucket lines only, and on each of them");
            }

            var count = group.SingleOrDefault(s => s.Name == family.Name + "_count") ?? throw new FormatException($"histogram {family.Name}{{{group.Key}}} has no _count");
            _ = group.SingleOrDefault(s => s.Name == family.Name + "_sum") ?? throw new FormatException($"histogram {family.Name}{{{group.Key}}} has no _sum");
            if (buckets.Count == 0 || buckets[^1].Labels["le"] != "+Inf")
            {
                throw new FormatException($"histogram {family.Name}{{{group.Key}}} does not end with le=\"+Inf\"");
            }

            for (var i = 1; i < buckets.Count; i++)
            {
                if (ParseValue(buckets[i].Labels["le"]) <= ParseValue(buckets[i - 1].Labels["le"]) || buckets[i].Value < buckets[i - 1].Value)
                {
                    throw new FormatException($"histogram {family.Name}{{{group.Key}}}: bounds must rise and counts be cumulative");
                }
            }

            if (buckets[^1].Value != count.Value)
            {
                throw new FormatException($"histogram {family.Name}{{{group.Key}}}: +Inf bucket {buckets[^1].Value} != _count {count.Value}");
            }
        }
    }

    private static Sample ParseSample(string line)
    {
        var i = 0;
        while (i < line.Length && line[i] is not ('{' or ' '))
        {
            i++;
        }

        var name = line[..i];
        CheckMetricName(name);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (true)
            {
                if (i >= line.Length)
                {
                    throw new FormatException("unterminated label set");
                }

                if (line[i] == '}')
                {
                    i++;
                    break;
                }

                var start = i;
                while (i < line.Length && line[i] != '=')
                {
                    i++;
                }

                var labelName = line[start..i];
                CheckLabelName(labelName);
                if (i + 1 >= line.Length || line[i + 1] != '"')
                {
                    throw new FormatException($"label {labelName} has no quoted value");
                }

                i += 2;
                var value = new StringBuilder();
                while (true)
                {
                    if (i >= line.Length)
                    {
                        throw new FormatException($"unterminated value of label {labelName}");
                    }

                    var c = line[i++];
                    if (c == '"')
                    {
                        break;
                    }

                    if (c == '\\')
                    {
                        if (i >= line.Length)
                        {
                            throw new FormatException("dangling backslash");
                        }

                        value.Append(line[i++] switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            var other => throw new FormatException($"invalid escape \\{other}"),
                        });
                    }
                    else
                    {
                        value.Append(c);
                    }
                }

                if (!labels.TryAdd(labelName, value.ToString()))
                {
                    throw new FormatException($"label {labelName} twice");
                }

                if (i < line.Length && line[i] == ',')
                {
                    i++;
                }
                else if (i >= line.Length || line[i] != '}')
                {
                    throw new FormatException("expected ',' or '}' after a label");
                }
            }
        }

        if (i >= line.Length || line[i] != ' ')
        {
            throw new FormatException("expected one space before the value");
        }

        var fields = line[(i + 1)..].Split(' ');
        if (fields.Length is < 1 or > 2 || fields.Any(f => f.Length == 0))
        {
            throw new FormatException("expected a value and at most a timestamp");
        }

        if (fields.Length == 2 && !long.TryParse(fields[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
        {
            throw new FormatException($"timestamp {fields[1]} is not an integer");
        }

        return new Sample(name, labels, ParseValue(fields[0]));
    }

    private static double ParseValue(string text) => text switch
    {
        "NaN" => double.NaN,
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ when text.All(c => char.IsAsciiDigit(c) || c is '.' or 'e' or 'E' or '+' or '-')
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) => value,
        _ => throw new FormatException($"value {text} is not a float"),
    };

    private static string Unescape(string text, bool quoted)
    {
        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\')
            {
                result.Append(text[i]);
                continue;
            }

            if (++i >= text.Length)
            {
                throw new FormatException("dangling backslash in HELP");
            }

            result.Append(text[i] switch
            {
                '\\' => '\\',
                'n' => '\n',
                '"' when quoted => '"',
                var other => throw new FormatException($"invalid escape \\{other} in HELP"),
            });
        }

        return result.ToString();
    }

    private static void CheckMetricName(string name)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] is '_' or ':') || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':'))
        {
            throw new FormatException($"invalid metric name \"{name}\"");
        }
    }

    private static void CheckLabelName(string name)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_') || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') || name.StartsWith("__", StringComparison.Ordinal))
        {
            throw new FormatException($"invalid label name \"{name}\"");
        }
    }
}
