using CniV6.Agent.Logging;

namespace CniV6.Agent.Tests.Unit;

public sealed class RepeatedFailureTests
{
    private readonly SettableTime _time = new();

    [Fact]
    public void The_first_failure_of_a_kind_is_logged_its_repeats_are_not_and_a_summary_comes_once_per_interval()
    {
        var failures = new RepeatedFailure(_time, TimeSpan.FromMinutes(5));

        var verdicts = new List<FailureVerdict> { failures.Record("routing: EPERM") };
        for (var i = 0; i < 10; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(30));
            verdicts.Add(failures.Record("routing: EPERM"));
        }

        // 0 s first; 30 s … 270 s repeats; 300 s a summary; 330 s repeat.
        Assert.Equal(FailureVerdict.First, verdicts[0]);
        Assert.All(verdicts[1..10], v => Assert.Equal(FailureVerdict.Repeat, v));
        Assert.Equal(FailureVerdict.StillFailing, verdicts[10]);
        Assert.Equal(11, failures.Count);
    }

    [Fact]
    public void A_different_failure_is_a_new_kind_and_is_logged()
    {
        var failures = new RepeatedFailure(_time);

        Assert.Equal(FailureVerdict.First, failures.Record("conflist: read-only file system"));
        Assert.Equal(FailureVerdict.Repeat, failures.Record("conflist: read-only file system"));
        Assert.Equal(FailureVerdict.First, failures.Record("routing: EPERM"));
        Assert.Equal(FailureVerdict.First, failures.Record("conflist: read-only file system"));
        Assert.Equal(4, failures.Count);
    }

    [Fact]
    public void Recovering_reports_the_streak_once_and_the_same_failure_afterwards_is_news_again()
    {
        var failures = new RepeatedFailure(_time);
        failures.Record("routing: EPERM");
        failures.Record("routing: EPERM");

        Assert.Equal(2, failures.Recover());
        Assert.Equal(0, failures.Recover());
        Assert.Equal(FailureVerdict.First, failures.Record("routing: EPERM"));
    }

    private sealed class SettableTime : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
