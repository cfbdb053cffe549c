using CniV6.Agent.Metrics;
using CniV6.Agent.Tests.Infrastructure;

namespace CniV6.Agent.Tests.Unit.Metrics;

public class PrometheusTextRendererTests
{
    private static KeyValuePair<string, string> L(string name, string value) => new(name, value);

    [Fact]
    public void Label_values_and_help_text_are_escaped_and_read_back_unchanged()
    {
        const string nasty = "a\\b\"c\nd}e,f=g ";
        var families = new[]
        {
            new MetricFamily("cniv6_test_total", "Help with a backslash \\ and a\nnewline and \"quotes\".", MetricType.Counter,
                [new MetricSeries([L("pool", nasty), L("family", "ipv6")], 3)]),
        };

        var rendered = PrometheusTextRenderer.Render(families);
        var text = PrometheusText.Parse(rendered);

        Assert.Equal(3, text.Value("cniv6_test_total", ("pool", nasty), ("family", "ipv6")));
        Assert.Equal("Help with a backslash \\ and a\nnewline and \"quotes\".", text.Families["cniv6_test_total"].Help);
        Assert.Contains("# HELP cniv6_test_total Help with a backslash \\\\ and a\\nnewline and \"quotes\".\n", rendered, StringComparison.Ordinal);
        Assert.Contains("pool=\"a\\\\b\\\"c\\nd}e,f=g \"", rendered, StringComparison.Ordinal);
    }

    [Fact]
    public void A_histogram_has_cumulative_buckets_ending_in_inf_then_sum_and_count()
    {
        var histogram = new HistogramValue([0.01, 0.1, 1], [2, 0, 5], OverflowCount: 1, Sum: 7.5, Count: 8);
        var families = new[]
        {
            new MetricFamily("cniv6_cni_operation_duration_seconds", "Latency.", MetricType.Histogram,
                [new MetricSeries([L("command", "ADD")], 0, histogram)]),
        };

        var rendered = PrometheusTextRenderer.Render(families);
        var text = PrometheusText.Parse(rendered);

        Assert.Equal(
            "# HELP cniv6_cni_operation_duration_seconds Latency.\n" +
            "# TYPE cniv6_cni_operation_duration_seconds histogram\n" +
            "cniv6_cni_operation_duration_seconds_bucket{command=\"ADD\",le=\"0.01\"} 2\n" +
            "cniv6_cni_operation_duration_seconds_bucket{command=\"ADD\",le=\"0.1\"} 2\n" +
            "cniv6_cni_operation_duration_seconds_bucket{command=\"ADD\",le=\"1\"} 7\n" +
            "cniv6_cni_operation_duration_seconds_bucket{command=\"ADD\",le=\"+Inf\"} 8\n" +
            "cniv6_cni_operation_duration_seconds_sum{command=\"ADD\"} 7.5\n" +
            "cniv6_cni_operation_duration_seconds_count{command=\"ADD\"} 8\n",
            rendered);
        Assert.Equal(8, text.Value("cniv6_cni_operation_duration_seconds_count", ("command", "ADD")));
    }

    [Theory]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(18446744073709551616.0, "1.8446744073709552E+19")]
    [InlineData(0.1, "0.1")]
    [InlineData(42, "42")]
    public void Numbers_are_written_as_go_reads_them(double value, string expected)
    {
        Assert.Equal(expected, PrometheusTextRenderer.Number(value));
        var text = PrometheusText.Parse(PrometheusTextRenderer.Render([new MetricFamily("g", "G.", MetricType.Gauge, [new MetricSeries([], value)])]));
        Assert.Equal(value, text.Value("g"));
    }

    [Theory]
    [InlineData("cniv6.agent.syncs", false, "cniv6_agent_syncs")]
    [InlineData("9lives", false, "_9lives")]
    [InlineData("a:b", false, "a:b")]
    [InlineData("a:b", true, "a_b")]
    [InlineData("peer-name", true, "peer_name")]
    public void Names_are_made_valid(string name, bool isLabel, string expected) =>
        Assert.Equal(expected, PrometheusTextRenderer.SanitizeName(name, isLabel));

    [Theory]
    [InlineData("x 1")] // no trailing newline
    [InlineData("x{a=\"1\"} 1\nx{a=\"1\"} 2\n")] // duplicate series
    [InlineData("x{a=\"\\t\"} 1\n")] // undefined escape
    [InlineData("x{a=1} 1\n")] // unquoted
    [InlineData("x 1\ny 1\nx 2\n")] // family split
    [InlineData("# TYPE x counter\nx -1\n")] // negative counter
    [InlineData("x 1\n# TYPE x gauge\n")] // TYPE after samples
    [InlineData("x one\n")]
    [InlineData("x  1\n")]
    [InlineData("1x 1\n")]
    [InlineData("x{__a=\"1\"} 1\n")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n")] // not cumulative
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n")] // no +Inf
    [InlineData("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 1\n")] // +Inf != count
    public void The_test_parser_refuses_what_prometheus_would(string exposition) =>
        Assert.Throws<FormatException>(() => PrometheusText.Parse(exposition));
}
