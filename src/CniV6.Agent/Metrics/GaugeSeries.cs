using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace CniV6.Agent.Metrics;

/// <summary>
/// A gauge with labels whose series the owner sets, replaces or removes, e.g. <c>cniv6_agent_bgp_session_up{peer="…"}</c>:
/// the value of each label set is kept here and reported by an <see cref="ObservableGauge{T}"/> at every scrape, so a
/// series that was removed (a peer gone) is simply absent from the next scrape. Made by
/// <see cref="Health.AgentMetrics.CreateGaugeSeries"/>; thread-safe.
/// </summary>
internal sealed class GaugeSeries
{
    private readonly string[] _labelNames;
    private readonly ConcurrentDictionary<string, (string[] LabelValues, double Value)> _values = new(StringComparer.Ordinal);

    internal GaugeSeries(Meter meter, string name, string help, IReadOnlyList<string> labelNames)
    {
        _labelNames = [.. labelNames];
        meter.CreateObservableGauge(name, Observe, unit: null, description: help);
    }

    public IReadOnlyList<string> LabelNames => _labelNames;

    /// <summary>Sets the series of these label values (one per label name, in order).</summary>
    public void Set(double value, params string[] labelValues)
    {
        CheckArity(labelValues);
        _values[KeyOf(labelValues)] = ([.. labelValues], value);
    }

    /// <summary>Removes the series of these label values; false if there was none.</summary>
    public bool Remove(params string[] labelValues)
    {
        CheckArity(labelValues);
        return _values.TryRemove(KeyOf(labelValues), out _);
    }

    /// <summary>Makes these series the whole gauge: every series not listed is removed (the set of peers now).</summary>
    public void ReplaceAll(IEnumerable<(string[] LabelValues, double Value)> series)
    {
        var wanted = new Dictionary<string, (string[], double)>(StringComparer.Ordinal);
        foreach (var (labelValues, value) in series)
        {
            CheckArity(labelValues);
            wanted[KeyOf(labelValues)] = ([.. labelValues], value);
        }

        foreach (var key in _values.Keys.Where(k => !wanted.ContainsKey(k)))
        {
            _values.TryRemove(key, out _);
        }

        foreach (var (key, value) in wanted)
        {
            _values[key] = value;
        }
    }

    private IEnumerable<Measurement<double>> Observe()
    {
        foreach (var (labelValues, value) in _values.Values)
        {
            var tags = new KeyValuePair<string, object?>[_labelNames.Length];
            for (var i = 0; i < tags.Length; i++)
            {
                tags[i] = new(_labelNames[i], labelValues[i]);
            }

            yield return new Measurement<double>(value, tags);
        }
    }

    private void CheckArity(string[] labelValues)
    {
        if (labelValues.Length != _labelNames.Length)
        {
            throw new ArgumentException($"expected {_labelNames.Length} label values ({string.Join(", ", _labelNames)}), got {labelValues.Length}", nameof(labelValues));
        }
    }

    private static string KeyOf(string[] labelValues) => string.Concat(labelValues.Select(v => $"{v.Length}:{v}"));
}
