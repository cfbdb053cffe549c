namespace CniV6.Agent.Metrics;

/// <summary>The Prometheus type of a metric family, as its <c># TYPE</c> line names it.</summary>
internal enum MetricType
{
    Counter,
    Gauge,
    Histogram,
}

/// <summary>
/// One metric family at the moment of a scrape: its exposed name (counters already end in <c>_total</c>), help text,
/// type and every series. What <see cref="MetricsCollector"/> produces and <see cref="PrometheusTextRenderer"/> writes.
/// </summary>
internal sealed record MetricFamily(string Name, string Help, MetricType Type, IReadOnlyList<MetricSeries> Series);

/// <summary>One labelled series: a value, or for a histogram its buckets (<see cref="Histogram"/> set, Value unused).</summary>
internal sealed record MetricSeries(IReadOnlyList<KeyValuePair<string, string>> Labels, double Value, HistogramValue? Histogram = null);

/// <summary>
/// A histogram's state: per upper bound the number of observations in that bucket alone (not cumulative; the
/// renderer accumulates), plus the count above the last bound, the sum and the count of all observations.
/// </summary>
internal sealed record HistogramValue(IReadOnlyList<double> UpperBounds, IReadOnlyList<long> BucketCounts, long OverflowCount, double Sum, long Count);
