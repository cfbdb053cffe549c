using System.Diagnostics.Metrics;
using System.Globalization;

namespace CniV6.Agent.Metrics;

/// <summary>
/// Listens to the instruments of one <see cref="Meter"/> (that instance, not every meter of that name, so two agents
/// in one test process never mix) and keeps what a scrape shows: the running sum of a counter or up-down counter
/// per label set, the last value of a gauge, and bucket counts of a histogram (bounds from the instrument's advice,
/// else Prometheus' defaults). Observable instruments are asked at <see cref="Collect"/>; a label set an observable
/// no longer reports (a BGP peer removed) disappears from the next scrape.
/// </summary>
internal sealed class MetricsCollector : IDisposable
{
    /// <summary>Prometheus' client default buckets, in seconds.</summary>
    internal static readonly double[] DefaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Meter _meter;
    private readonly MeterListener _listener;
    private readonly Lock _instrumentsLock = new();
    private readonly List<InstrumentState> _instruments = [];
    private readonly Lock _collectLock = new();

    public MetricsCollector(Meter meter)
    {
        _meter = meter;
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, _meter))
                {
                    var state = new InstrumentState(instrument);
                    lock (_instrumentsLock)
                    {
                        _instruments.Add(state);
                    }

                    listener.EnableMeasurementEvents(instrument, state);
                }
            },
            MeasurementsCompleted = (_, state) =>
            {
                lock (_instrumentsLock)
                {
                    _instruments.Remove((InstrumentState)state!);
                }
            },
        };
        _listener.SetMeasurementEventCallback<byte>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<short>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<decimal>(static (_, value, tags, state) => ((InstrumentState)state!).Record((double)value, tags));
        _listener.Start();
    }

    /// <summary>Every family in the order its instrument was created, observable instruments asked now.</summary>
    public IReadOnlyList<MetricFamily> Collect()
    {
        lock (_collectLock)
        {
            InstrumentState[] instruments;
            lock (_instrumentsLock)
            {
                instruments = [.. _instruments];
            }

            foreach (var instrument in instruments.Where(i => i.IsObservable))
            {
                instrument.Clear();
            }

            _listener.RecordObservableInstruments();
            return [.. instruments.Select(i => i.ToFamily())];
        }
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>The state of one instrument: its series by label set.</summary>
    private sealed class InstrumentState
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<string, SeriesState> _series = new(StringComparer.Ordinal);
        private readonly KeyValuePair<string, string>[] _instrumentLabels;
        private readonly bool _sums;
        private readonly double[]? _bounds;

        public InstrumentState(Instrument instrument)
        {
            IsObservable = instrument.IsObservable;
            Type = instrument switch
            {
                Counter<long> or Counter<int> or Counter<double> or ObservableCounter<long> or ObservableCounter<int> or ObservableCounter<double> => MetricType.Counter,
                Histogram<long> or Histogram<int> or Histogram<double> => MetricType.Histogram,
                _ => MetricType.Gauge,
            };
            var name = PrometheusTextRenderer.SanitizeName(instrument.Name, isLabel: false);
            Name = Type == MetricType.Counter && !name.EndsWith("_total", StringComparison.Ordinal) ? name + "_total" : name;
            Help = instrument.Description ?? instrument.Name;

            // Synchronous counters add up; everything observed (including observable counters, which report their
            // cumulative value) and synchronous gauges keep the last value.
            _sums = !IsObservable && Type != MetricType.Histogram && instrument is not (Gauge<long> or Gauge<int> or Gauge<double>);
            _bounds = Type == MetricType.Histogram ? BoundsOf(instrument) : null;
            _instrumentLabels = instrument.Tags is { } tags ? [.. tags.Select(Label)] : [];
        }

        public string Name { get; }

        public string Help { get; }

        public MetricType Type { get; }

        public bool IsObservable { get; }

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var labels = new KeyValuePair<string, string>[tags.Length + _instrumentLabels.Length];
            for (var i = 0; i < tags.Length; i++)
            {
                labels[i] = Label(tags[i]);
            }

            _instrumentLabels.CopyTo(labels, tags.Length);
            Array.Sort(labels, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            var key = KeyOf(labels);
            lock (_lock)
            {
                if (!_series.TryGetValue(key, out var series))
                {
                    series = new SeriesState(labels, _bounds is null ? null : new long[_bounds.Length + 1]);
                    _series.Add(key, series);
                }

                if (series.Buckets is { } buckets)
                {
                    var index = Array.BinarySearch(_bounds!, value);
                    // An observation equal to a bound belongs to that bucket (le: less than or equal).
                    buckets[index >= 0 ? index : ~index]++;
                    series.Value += value;
                    series.Count++;
                }
                else
                {
                    series.Value = _sums ? series.Value + value : value;
                }
            }
        }

        public void Clear()
        {
            lock (_lock)
            {
                _series.Clear();
            }
        }

        public MetricFamily ToFamily()
        {
            lock (_lock)
            {
                var series = _series.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => s.Value.ToSeries(_bounds)).ToArray();
                return new MetricFamily(Name, Help, Type, series);
            }
        }

        private static double[] BoundsOf(Instrument instrument)
        {
            IEnumerable<double>? advised = instrument switch
            {
                Histogram<double> h => h.Advice?.HistogramBucketBoundaries,
                Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b),
                Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b),
                _ => null,
            };
            double[] bounds = [.. (advised ?? DefaultBuckets).Where(b => !double.IsNaN(b) && !double.IsInfinity(b)).Distinct().Order()];
            return bounds;
        }

        private static KeyValuePair<string, string> Label(KeyValuePair<string, object?> tag) => new(
            PrometheusTextRenderer.SanitizeName(tag.Key, isLabel: true),
            tag.Value switch
            {
                null => "",
                string s => s,
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                var other => other.ToString() ?? "",
            });

        /// <summary>Length-prefixed, so no label value can make two label sets one key.</summary>
        private static string KeyOf(KeyValuePair<string, string>[] labels) =>
            string.Concat(labels.Select(l => $"{l.Key.Length}:{l.Key}{l.Value.Length}:{l.Value}"));
    }

    private sealed class SeriesState(KeyValuePair<string, string>[] labels, long[]? buckets)
    {
        public KeyValuePair<string, string>[] Labels { get; } = labels;

        public long[]? Buckets { get; } = buckets;

        public double Value { get; set; }

        public long Count { get; set; }

        public MetricSeries ToSeries(double[]? bounds) => Buckets is { } counts
            ? new MetricSeries(Labels, Value, new HistogramValue(bounds!, counts[..^1], counts[^1], Value, Count))
            : new MetricSeries(Labels, Value);
    }
}
