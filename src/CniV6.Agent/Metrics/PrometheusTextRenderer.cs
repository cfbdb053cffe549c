using System.Globalization;
using System.Text;

namespace CniV6.Agent.Metrics;

/// <summary>
/// Writes metric families in the Prometheus text exposition format 0.0.4: <c># HELP</c> and <c># TYPE</c> per family,
/// one line per sample, histograms as cumulative <c>_bucket{le="…"}</c> lines ending in <c>le="+Inf"</c> plus
/// <c>_sum</c> and <c>_count</c>. Label values escape backslash, double quote and newline; help text escapes
/// backslash and newline. Hand-written on purpose: the OpenTelemetry Prometheus exporter is still a beta and serves
/// through HttpListener (which the agent dropped for its own listener), and prometheus-net brings its own metric
/// types and no AOT annotations; the format itself is a few dozen lines.
/// </summary>
internal static class PrometheusTextRenderer
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Render(IEnumerable<MetricFamily> families)
    {
        var text = new StringBuilder(4096);
        foreach (var family in families)
        {
            Write(text, family);
        }

        return text.ToString();
    }

    private static void Write(StringBuilder text, MetricFamily family)
    {
        text.Append("# HELP ").Append(family.Name).Append(' ');
        AppendEscaped(text, family.Help, escapeQuote: false);
        text.Append('\n');
        text.Append("# TYPE ").Append(family.Name).Append(' ').Append(TypeName(family.Type)).Append('\n');
        foreach (var series in family.Series)
        {
            if (family.Type == MetricType.Histogram && series.Histogram is { } histogram)
            {
                WriteHistogram(text, family.Name, series.Labels, histogram);
            }
            else
            {
                Sample(text, family.Name, series.Labels, extraLabel: null, series.Value);
            }
        }
    }

    private static void WriteHistogram(StringBuilder text, string name, IReadOnlyList<KeyValuePair<string, string>> labels, HistogramValue histogram)
    {
        long cumulative = 0;
        for (var i = 0; i < histogram.UpperBounds.Count; i++)
        {
            cumulative += histogram.BucketCounts[i];
            Sample(text, name + "_bucket", labels, new("le", Number(histogram.UpperBounds[i])), cumulative);
        }

        Sample(text, name + "_bucket", labels, new("le", "+Inf"), cumulative + histogram.OverflowCount);
        Sample(text, name + "_sum", labels, extraLabel: null, histogram.Sum);
        Sample(text, name + "_count", labels, extraLabel: null, histogram.Count);
    }

    private static void Sample(StringBuilder text, string name, IReadOnlyList<KeyValuePair<string, string>> labels, KeyValuePair<string, string>? extraLabel, double value)
    {
        text.Append(name);
        if (labels.Count > 0 || extraLabel is not null)
        {
            text.Append('{');
            var first = true;
            foreach (var label in labels)
            {
                Label(text, label, ref first);
            }

            if (extraLabel is { } extra)
            {
                Label(text, extra, ref first);
            }

            text.Append('}');
        }

        text.Append(' ').Append(Number(value)).Append('\n');
    }

    private static void Label(StringBuilder text, KeyValuePair<string, string> label, ref bool first)
    {
        if (!first)
        {
            text.Append(',');
        }

        first = false;
        text.Append(label.Key).Append("=\"");
        AppendEscaped(text, label.Value, escapeQuote: true);
        text.Append('"');
    }

    private static void AppendEscaped(StringBuilder text, string value, bool escapeQuote)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\':
                    text.Append("\\\\");
                    break;
                case '\n':
                    text.Append("\\n");
                    break;
                case '"' when escapeQuote:
                    text.Append("\\\"");
                    break;
                default:
                    text.Append(c);
                    break;
            }
        }
    }

    /// <summary>Go's ParseFloat reads these: shortest round-trip form, integers without a fraction, NaN, +Inf, -Inf.</summary>
    internal static string Number(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static string TypeName(MetricType type) => type switch
    {
        MetricType.Counter => "counter",
        MetricType.Histogram => "histogram",
        _ => "gauge",
    };

    /// <summary>A metric or label name Prometheus accepts: [a-zA-Z_:][a-zA-Z0-9_:]* (labels without ':'); anything else becomes '_'.</summary>
    internal static string SanitizeName(string name, bool isLabel)
    {
        var result = new StringBuilder(name.Length + 1);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            var ok = char.IsAsciiLetter(c) || c == '_' || (c == ':' && !isLabel) || (i > 0 && char.IsAsciiDigit(c));
            if (i == 0 && char.IsAsciiDigit(c))
            {
                result.Append('_');
                ok = true;
            }

            result.Append(ok ? c : '_');
        }

        return result.Length == 0 ? "_" : result.ToString();
    }
}
